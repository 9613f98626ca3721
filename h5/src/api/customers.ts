import type { AxiosRequestConfig } from 'axios';
import type { CreateCustomer, UpdateCustomer } from '@contracts/customer.schemas';
import type { Stage } from '@contracts/stages';
import type { SensitiveField } from '@contracts/fields';
import type { z } from 'zod';
import { cleanParams, get, patch, post } from '@/utils/request';
import type { Customer, CustomerDetail, CustomerHistory, DuplicateCheck, Page, Workbench } from './types';

export interface CustomerQuery {
  q?: string;
  stage?: Stage[];
  channel?: string;
  nextFollowUpFrom?: string;
  nextFollowUpTo?: string;
  sort?: 'recent' | 'nextFollowUp';
  cursor?: string | null;
  limit?: number;
}

/** What the create form sends: the schema's input side (money already in fen). */
export type CreateCustomerBody = z.input<typeof CreateCustomer>;
export type UpdateCustomerBody = z.input<typeof UpdateCustomer>;

export const customersApi = {
  // Page loads are `silent`: the page shows the error in place (with a retry), no toast on top.
  workbench: () => get<Workbench>('/workbench', { silent: true }),
  list: (q: CustomerQuery, config?: AxiosRequestConfig) =>
    get<Page<Customer>>('/customers', { ...config, params: cleanParams({ ...q, stage: q.stage?.join(',') }) }),
  get: (id: number) => get<CustomerDetail>(`/customers/${id}`, { silent: true }),
  create: (body: CreateCustomerBody) => post<Customer>('/customers', body, { silent: true }),
  update: (id: number, body: UpdateCustomerBody) => patch<Customer>(`/customers/${id}`, body),
  checkDuplicate: (q: { phone?: string; idNumber?: string }) =>
    get<DuplicateCheck>('/customers/check-duplicate', { params: cleanParams(q), silent: true }),
  reveal: (id: number, field: SensitiveField) => post<{ field: SensitiveField; value: string }>(`/customers/${id}/reveal`, { field }),
  history: (id: number) => get<CustomerHistory>(`/customers/${id}/history`, { silent: true }),
  changeStage: (id: number, to: Stage, reason?: string) => post<Customer>(`/customers/${id}/stage`, { to, reason }),
  assign: (id: number, ownerId: number, reason?: string) => post<Customer>(`/customers/${id}/assign`, { ownerId, reason }),
  release: (id: number, reason: string) => post<Customer>(`/customers/${id}/release`, { reason }),
  claim: (id: number) => post<Customer>(`/customers/${id}/claim`, {}),
  pool: (q: { q?: string; channel?: string; cursor?: string | null; limit?: number }) =>
    get<Page<Customer>>('/pool', { params: cleanParams(q) }),
};
