// HTTP surface of the product catalogue and 匹配产品: parse, call one service method, return.
import { route, IdParams, type RouteDef } from '../../http/route';
import { CreateProduct, ListProducts, MatchQuery, UpdateProduct } from '../../contracts/products';
import type { ProductService } from './product.service';

const tag = 'products';

export function productRoutes(products: ProductService): RouteDef[] {
  return [
    route({ method: 'get', path: '/products', tag, summary: '产品列表(已启用;管理员 all=1 含停用)', query: ListProducts, handler: ({ rc, query }) => products.list(rc, query) }),
    route({ method: 'get', path: '/products/:id', tag, summary: '产品详情', params: IdParams, handler: ({ rc, params }) => products.get(rc, params.id) }),
    route({ method: 'post', path: '/products', tag, summary: '新增产品(留痕)', permission: 'product.manage', body: CreateProduct, status: 201, handler: ({ rc, body }) => products.create(rc, body) }),
    route({ method: 'patch', path: '/products/:id', tag, summary: '修改产品(留痕)', permission: 'product.manage', params: IdParams, body: UpdateProduct, handler: ({ rc, params, body }) => products.update(rc, params.id, body) }),
    route({
      method: 'get', path: '/customers/:id/product-matches', tag, summary: '匹配产品:客户可申请的产品(利率低者在前)及其他产品未满足的条件', params: IdParams, query: MatchQuery,
      handler: ({ rc, params, query }) => products.matchForCustomer(rc, params.id, query),
    }),
    route({
      method: 'get', path: '/applications/:id/product-matches', tag, summary: '匹配产品(按进件的金额、期限、还款方式)', params: IdParams, query: MatchQuery,
      handler: ({ rc, params, query }) => products.matchForApplication(rc, params.id, query),
    }),
  ];
}
