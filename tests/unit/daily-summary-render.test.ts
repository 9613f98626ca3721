// Daily summary rendering (C22): the leaderboard chart is a real PNG (ECharts SSR → SVG → resvg)
// with Chinese glyphs drawn from the CJK font, the money formatting of the messages, and the
// WeCom renderings (app markdown keeps the dashboard link when cut; robot image never merged).
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasCjkFont, leaderboardPng, leaderboardSvg, svgToPng } from '../../server/src/modules/reports/summary/summary.chart';
import { dayLabel, fenShort, managerPayload } from '../../server/src/modules/reports/summary/summary.render';
import type { ManagerSummary } from '../../server/src/modules/reports/summary/summary.compose';
import { renderWecomApp } from '../../bot/src/channels/wecom-app';
import { renderWecomRobot, wecomRobotChannel } from '../../bot/src/channels/wecom-robot';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const people = [
  { name: '张伟', followUps: 12, submitted: 2, newLeads: 3, disbursedFen: 50_000_000 },
  { name: '刘洋', followUps: 8, submitted: 0, newLeads: 1, disbursedFen: 0 },
  { name: '黄静', followUps: 3, submitted: 1, newLeads: 0, disbursedFen: 1_234_500 },
];

describe('leaderboard chart', () => {
  it('renders a PNG of non-trivial size with the names in it', () => {
    const svg = leaderboardSvg({ title: '杭州一部 今日排行', subtitle: '12月3日(周四)', people });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('张伟');
    const png = leaderboardPng({ title: '杭州一部 今日排行', subtitle: '12月3日(周四)', people });
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(png.readUInt32BE(16)).toBe(720); // IHDR width
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(100_000);
  });

  it('draws Chinese glyphs from the CJK font (text in the picture, not empty boxes)', () => {
    expect(hasCjkFont()).toBe(true);
    // The same picture with and without the title text differs: the glyphs were rendered.
    const withText = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="40" font-size="30">排行榜</text></svg>');
    const without = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"></svg>');
    expect(withText.equals(without)).toBe(false);
  });
});

describe('message text', () => {
  it('money in 万 with integer arithmetic, dates with the weekday', () => {
    expect(fenShort(0)).toBe('0');
    expect(fenShort(50_000_000)).toBe('50.00万');
    expect(fenShort(123_456_789)).toBe('123.46万');
    expect(fenShort(99_900)).toBe('999元');
    expect(dayLabel('2026-12-03')).toBe('12月3日(周四)');
    expect(dayLabel('2026-12-06')).toBe('12月6日(周日)');
  });

  const summary: ManagerSummary = {
    day: '2026-12-03', userId: 1, name: '周强', role: 'branch_manager', scopeName: '杭州分公司',
    totals: { newLeads: 5, followUps: 8, submitted: 2, approved: 2, disbursedCount: 2, disbursedFen: 80_000_000 },
    overdue: { newCount: 1, newFen: 20_000_000, worsenedCount: 0, openCount: 1, openFen: 20_000_000 },
    teams: [],
    ranking: [],
    idle: Array.from({ length: 400 }, (_, i) => ({ userId: i + 10, name: `员工${i}` })),
  };

  it('a long idle list is shortened, and the WeCom markdown keeps its dashboard link within 2,048 B', () => {
    const p = managerPayload(summary);
    expect(p.markdown).toContain('等 400 人');
    expect(p.url).toBe('/data?from=2026-12-03&to=2026-12-03');
    const body = renderWecomApp({ ...p, markdown: `${p.markdown}\n${'很长的内容'.repeat(300)}` }, { agentId: 1, publicUrl: 'https://crm.example.com', taskId: 'x' }) as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(2048);
    expect(body.markdown.content.endsWith('[查看详情](https://crm.example.com/data?from=2026-12-03&to=2026-12-03)')).toBe(true);
  });

  it('a robot image payload renders as msgtype image and is never merged', () => {
    const png = leaderboardPng({ title: 't', subtitle: 's', people });
    const image = { base64: png.toString('base64'), md5: crypto.createHash('md5').update(png).digest('hex') };
    expect(renderWecomRobot({ title: '图', text: '图', image }, 'https://x')).toEqual({ msgtype: 'image', image });
    const ch = wecomRobotChannel({} as never, 'https://x', (async () => ({})) as never);
    expect(ch.fitsMerged!([{ title: 'a', text: 'a' }, { title: 'b', text: 'b' }])).toBe(true);
    expect(ch.fitsMerged!([{ title: 'a', text: 'a' }, { title: '图', text: '图', image }])).toBe(false);
  });
});
