import { route, type RouteDef } from '../../http/route';
import type { ChannelService } from './channel.service';
import { STAGES } from '../../contracts/stages';
import { COLLATERALS, FOLLOWUP_OUTCOMES, FOLLOWUP_TYPES } from '../../contracts/catalog';

export function channelRoutes(channels: ChannelService): RouteDef[] {
  return [
    route({ method: 'get', path: '/channels', tag: 'catalog', summary: '渠道列表', handler: () => channels.listEnabled() }),
    route({
      method: 'get', path: '/catalog', tag: 'catalog', summary: '表单选项(阶段、渠道、抵押方式、跟进方式与结果)',
      handler: async () => ({ stages: STAGES, collaterals: COLLATERALS, followUpTypes: FOLLOWUP_TYPES, followUpOutcomes: FOLLOWUP_OUTCOMES, channels: await channels.listEnabled() }),
    }),
  ];
}
