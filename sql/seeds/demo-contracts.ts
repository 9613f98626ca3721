// Demo contracts (C15) so `npm start` shows the 合同 card in each state: for approved demo
// applications that have a catalogue product and no loan yet, the officer generates the contract
// through the real service; on the first the officer uploads a signed scan and the team lead
// confirms it (contract 已签署, customer 已签约), on the second the scan waits for 待确认, the third
// stays 待签署. Runs after linkDemoApplications (the applications need their product).
import { Op } from 'sequelize';
import type { Deps } from '../../server/src/deps';
import type { Actor } from '../../server/src/http/context';
import { createCustomerService } from '../../server/src/modules/customers/customer.service';
import { createContractService } from '../../server/src/modules/contracts/contract.service';
import { createDiskStorage } from '../../server/src/modules/applications/documents.storage';

/** A one-page PDF standing in for the borrower's signed paper (the service checks the %PDF magic). */
const SCAN = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% 演示用签署件(扫描件)\n%%EOF\n');

export async function seedDemoContracts(deps: Deps, max = 3) {
  const m = deps.db.models;
  if (await m.Contract.count()) return;
  const contracts = createContractService(deps, createCustomerService(deps), createDiskStorage(deps.config.applications.filesDir));
  const users = await m.User.findAll({ raw: true });
  const rcOf = (id: number | null | undefined) => {
    const u = users.find((x) => x.id === id);
    return u ? { actor: { id: u.id, name: u.name, role: u.role, departmentId: u.departmentId } as Actor, ip: null } : null;
  };
  const withLoan = (await m.Loan.findAll({ attributes: ['applicationId'], raw: true })).map((l) => Number(l.applicationId));
  const apps = await m.Application.findAll({
    where: { status: 'approved', productId: { [Op.ne]: null }, ...(withLoan.length ? { id: { [Op.notIn]: withLoan } } : {}) },
    order: [['id', 'ASC']],
    limit: max,
  });
  for (const [k, app] of apps.entries()) {
    const officer = rcOf(app.applicantId);
    if (!officer) continue;
    const lead = rcOf(users.find((u) => u.id === app.applicantId)?.supervisorId);
    const c = await contracts.generate(officer, app.id, {});
    if (k >= 2) continue;
    await contracts.uploadSigned(officer, c.id, { fileName: `${c.contractNo}-签署件.pdf` }, { contentType: 'application/pdf', contentLength: SCAN.length, body: [SCAN] as unknown as AsyncIterable<Buffer> });
    if (k === 0 && lead) await contracts.confirm(lead, c.id);
  }
}
