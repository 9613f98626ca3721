import { get } from '@/utils/request';
import type { Catalog } from './types';

export const catalogApi = {
  get: () => get<Catalog>('/catalog'),
};
