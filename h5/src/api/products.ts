// Products (C14), 匹配产品, contract templates and contracts (C15); shapes as
// server/src/modules/products/product.service.ts and modules/contracts/contract.service.ts return them.
import type { CreateProductInput, UpdateProductInput } from '@contracts/products';
import type { ContractStatus, SignatureStatus } from '@contracts/contracts';
import type { DocumentKind, RepaymentMethod } from '@contracts/applications';
import type { LenderKind, ProductType } from '@contracts/loans';
import type { RuleGroup } from '@contracts/rules';
import { cleanParams, get, http, patch, post } from '@/utils/request';

export interface ProductView {
  id: number;
  code: string;
  name: string;
  lenderKind: LenderKind;
  lenderKindName: string;
  lenderName: string;
  type: ProductType;
  typeName: string;
  rateMinPpm: number;
  rateMaxPpm: number;
  rateText: string;
  termMinMonths: number;
  termMaxMonths: number;
  amountMinFen: number;
  amountMaxFen: number;
  amountText: string;
  repaymentMethods: RepaymentMethod[];
  repaymentMethodNames: string[];
  monthlyRatePpm: number | null;
  penaltyDailyRatePpm: number | null;
  eligibility: RuleGroup | null;
  requiredDocuments: DocumentKind[];
  requiredDocumentNames: string[];
  description: string | null;
  enabled: boolean;
  sortOrder: number;
}

export interface MatchReason {
  field: string;
  text: string;
  unknown: boolean;
}
export interface ProductMatch {
  product: ProductView;
  qualified: boolean;
  reasons: MatchReason[];
}
export interface MatchResponse {
  request: { amountFen: number | null; termMonths: number | null; repaymentMethod: RepaymentMethod | null; amountText: string | null };
  qualifiedCount: number;
  items: ProductMatch[];
}
export interface MatchQuery {
  amountFen?: number | null;
  termMonths?: number | null;
  repaymentMethod?: RepaymentMethod | null;
}

export interface TemplateView {
  id: number;
  productId: number;
  name: string;
  fileName: string;
  sizeBytes: number;
  enabled: boolean;
  placeholders: string[];
  uploadedByName: string | null;
  createdAt: string;
  url: string;
  unknownPlaceholders?: string[];
}

export interface ContractView {
  id: number;
  contractNo: string;
  applicationId: number;
  status: ContractStatus;
  statusName: string;
  amountFen: number;
  annualRateText: string;
  termMonths: number;
  repaymentMethodName: string;
  fileName: string;
  generatedByName: string | null;
  generatedAt: string;
  signedAt: string | null;
  url: string;
  signatures: {
    id: number;
    status: SignatureStatus;
    statusName: string;
    fileName: string | null;
    uploadedByName: string | null;
    uploadedAt: string;
    confirmedByName: string | null;
    confirmedAt: string | null;
    rejectReason: string | null;
    url: string | null;
  }[];
  can: { uploadSigned: boolean; confirm: boolean };
}

export const productsApi = {
  list: (all = false) => get<ProductView[]>('/products', { params: all ? { all: 1 } : {} }),
  get: (id: number) => get<ProductView>(`/products/${id}`),
  create: (body: CreateProductInput) => post<ProductView>('/products', body),
  update: (id: number, body: UpdateProductInput) => patch<ProductView>(`/products/${id}`, body),
  matchCustomer: (customerId: number, q: MatchQuery = {}) => get<MatchResponse>(`/customers/${customerId}/product-matches`, { params: cleanParams(q) }),
  matchApplication: (applicationId: number, q: MatchQuery = {}) => get<MatchResponse>(`/applications/${applicationId}/product-matches`, { params: cleanParams(q) }),
  templates: (productId: number) => get<TemplateView[]>(`/products/${productId}/contract-templates`),
  uploadTemplate: async (productId: number, file: File, name: string) =>
    (await http.post<TemplateView>(`/products/${productId}/contract-templates`, file, {
      params: { name, fileName: file.name },
      headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
    })).data,
  setTemplateEnabled: (id: number, enabled: boolean) => patch<TemplateView>(`/contract-templates/${id}`, { enabled }),
};

export const contractsApi = {
  ofApplication: (applicationId: number) => get<{ items: ContractView[]; canGenerate: boolean; generateHint: string | null }>(`/applications/${applicationId}/contracts`),
  generate: (applicationId: number, body: { annualRatePpm?: number; firstDueOn?: string } = {}) => post<ContractView>(`/applications/${applicationId}/contracts`, body),
  uploadSigned: async (id: number, file: File) =>
    (await http.post<ContractView>(`/contracts/${id}/signed-scan`, file, { params: { fileName: file.name }, headers: { 'Content-Type': file.type || 'application/pdf' } })).data,
  confirm: (id: number) => post<ContractView>(`/contracts/${id}/confirm`),
  reject: (id: number, reason: string) => post<ContractView>(`/contracts/${id}/reject`, { reason }),
};
