// A small sample 借款居间服务合同 template (.docx), built in code so no binary sits in the repo:
// the demo seeds it for every product and the tests upload it. Placeholders are docxtemplater
// tags (contracts/contracts.ts CONTRACT_FIELDS); the 还款计划 table repeats one row per installment.
import PizZip from 'pizzip';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const run = (text: string, bold = false) => `<w:r>${bold ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
const para = (text: string, opts: { bold?: boolean; center?: boolean } = {}) =>
  `<w:p>${opts.center ? '<w:pPr><w:jc w:val="center"/></w:pPr>' : ''}${run(text, opts.bold)}</w:p>`;
const cell = (text: string) => `<w:tc><w:tcPr><w:tcW w:w="1600" w:type="dxa"/></w:tcPr>${para(text)}</w:tc>`;
const row = (cells: string[]) => `<w:tr>${cells.map(cell).join('')}</w:tr>`;

export function sampleContractTemplateXml(paragraphs?: string[]): string {
  const body = paragraphs ?? [
    '合同编号:{contractNo}',
    '借款人:{customerName}    身份证号:{customerIdNumber}    手机号:{customerPhone}',
    '居间服务方:{brokerName}    统一社会信用代码:{brokerCreditCode}',
    '资金方:{lenderName}({lenderKind})    产品:{productName}({productType})',
    '借款金额:人民币 {amount} 元(大写:{amountCapital})',
    '借款期限:{termMonths} 个月,自 {firstDueDate} 起按月还款,至 {maturityDate} 到期',
    '还款方式:{repaymentMethod}    年利率:{annualRate}    借款用途:{purpose}',
    '利息合计:{totalInterest} 元(大写:{totalInterestCapital});应还合计:{totalPayment} 元(大写:{totalPaymentCapital})',
  ];
  const table =
    '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/><w:tblBorders>' +
    ['top', 'left', 'bottom', 'right', 'insideH', 'insideV'].map((b) => `<w:${b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>`).join('') +
    '</w:tblBorders></w:tblPr>' +
    row(['期数', '还款日', '本金(元)', '利息(元)', '合计(元)', '剩余本金(元)']) +
    row(['{#schedule}{seq}', '{dueDate}', '{principal}', '{interest}', '{payment}', '{remaining}{/schedule}']) +
    '</w:tbl>';
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
    para('借款居间服务合同', { bold: true, center: true }) +
    body.map((p) => para(p)).join('') +
    para('还款计划', { bold: true }) +
    table +
    para('经办人:{officerName}    合同生成人:{generatedBy}    签订日期:{signDate}') +
    para('借款人(签字):                居间服务方(盖章):') +
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>' +
    '</w:body></w:document>'
  );
}

/** A minimal valid .docx with the given document.xml. */
export function docxFromDocumentXml(documentXml: string): Buffer {
  const zip = new PizZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file('word/document.xml', documentXml);
  return zip.generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export function sampleContractTemplate(): Buffer {
  return docxFromDocumentXml(sampleContractTemplateXml());
}
