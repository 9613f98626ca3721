// .docx templates: what an upload is checked for (a real Word package, balanced tags), the
// placeholders listed (loops flattened, typos pointed out), and filling a template with a table
// row per installment, read back as text.
import { describe, expect, it } from 'vitest';
import { docxText, inspectTemplate, renderTemplate, TemplateError } from '../../server/src/modules/contracts/contract.render';
import { docxFromDocumentXml, sampleContractTemplate, sampleContractTemplateXml } from '../../sql/seeds/contract-template';

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e.problems;
    throw e;
  }
  return [];
};

describe('inspectTemplate', () => {
  it('lists the sample template\'s placeholders, the schedule loop flattened, none unknown', () => {
    const info = inspectTemplate(sampleContractTemplate());
    expect(info.unknown).toEqual([]);
    expect(info.placeholders).toEqual(expect.arrayContaining(['customerName', 'amountCapital', 'schedule', 'schedule.seq', 'schedule.remaining', 'brokerName']));
  });

  it('points out placeholders we have no value for', () => {
    expect(inspectTemplate(docxFromDocumentXml(sampleContractTemplateXml(['{custmerName} {amount}']))).unknown).toEqual(['custmerName']);
  });

  it('refuses what is not a Word document, and broken tags, in Chinese', () => {
    expect(problems(() => inspectTemplate(Buffer.from('hello')))).toEqual(['文件不是有效的 .docx(Word 2007 及以上)文档']);
    expect(problems(() => inspectTemplate(docxFromDocumentXml(sampleContractTemplateXml(['{customerName'])))).join()).toContain('占位符「{customerName」缺少右括号 }');
    expect(problems(() => inspectTemplate(docxFromDocumentXml(sampleContractTemplateXml(['{#rows}没有结束'])))).join()).toContain('循环「{#rows}」缺少结束标记 {/rows}');
  });
});

describe('renderTemplate', () => {
  it('fills values and repeats the schedule row; a missing value is empty, not "undefined"', () => {
    const out = renderTemplate(sampleContractTemplate(), {
      contractNo: 'HT1', customerName: '李雷', amount: '1,000.00', amountCapital: '壹仟元整',
      schedule: [{ seq: 1, dueDate: '2026-12-23', principal: '500.00', interest: '5.00', payment: '505.00', remaining: '500.00' }, { seq: 2, dueDate: '2027-01-23', principal: '500.00', interest: '2.50', payment: '502.50', remaining: '0.00' }],
    });
    const text = docxText(out);
    expect(text).toContain('合同编号:HT1');
    expect(text).toContain('借款金额:人民币 1,000.00 元(大写:壹仟元整)');
    expect(text).toContain('1\t2026-12-23\t500.00\t5.00\t505.00\t500.00');
    expect(text).toContain('2\t2027-01-23\t500.00\t2.50\t502.50\t0.00');
    expect(text).toContain('身份证号:    手机号:');
    expect(text).not.toContain('undefined');
  });
});
