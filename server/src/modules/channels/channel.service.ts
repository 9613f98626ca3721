// Lead channels: the list staff pick from, and the partner credentials intake verifies.
import type { Models } from '../../db/models';
import type { FieldCrypto } from '../crypto/field-crypto';
import type { Channel } from './channel.model';

const CACHE_MS = 10_000;

export function createChannelService(models: Models, crypto: FieldCrypto) {
  let cache: { at: number; byCode: Map<string, Channel> } | null = null;

  async function all(): Promise<Map<string, Channel>> {
    if (cache && Date.now() - cache.at < CACHE_MS) return cache.byCode;
    const rows = await models.Channel.findAll({ order: [['id', 'ASC']], raw: true });
    cache = { at: Date.now(), byCode: new Map(rows.map((c) => [c.code, c as Channel])) };
    return cache.byCode;
  }

  return {
    all,
    invalidate() {
      cache = null;
    },
    async listEnabled() {
      return [...(await all()).values()].filter((c) => c.enabled).map((c) => ({ code: c.code, name: c.name }));
    },
    async isEnabled(code: string) {
      return (await all()).get(code)?.enabled ?? false;
    },
    /** The partner behind an API key, with its decrypted signing secret. */
    async partnerByKey(apiKey: string): Promise<{ channel: Channel; secret: string } | null> {
      const channel = await models.Channel.findOne({ where: { apiKey, enabled: true }, raw: true });
      if (!channel || !channel.secretEnc) return null;
      return { channel: channel as Channel, secret: crypto.decrypt(channel.secretEnc) };
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
