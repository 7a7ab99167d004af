import { describe, expect, it } from 'vitest';
import { cardHeadings } from '../../lib/serverText';
import { withHeadings } from '../Markdown';

const page = '# Model card: OT forecaster (mlp)\n\n## Intended use\n\nForecast OT.\n\n## Limits\n\n- drift\n';
const card = {
  headings: [
    { code: 'title', params: { target: 'OT', algorithm: 'mlp' }, text: 'Model card: OT forecaster (mlp)' },
    { code: 'intendedUse', params: {}, text: 'Intended use' },
    { code: 'unknownCode', params: {}, text: 'Limits' },
  ],
};

describe('a model card in the reader\'s language', () => {
  it('renders each heading from its code and parameters, the English text for an unknown code', () => {
    const zh = cardHeadings('zh-CN', card);
    expect(zh).toEqual(['模型卡：OT 预测模型（mlp）', '预期用途', 'Limits']);
    const html = withHeadings(page, zh);
    expect(html).toContain('<h1>模型卡：OT 预测模型（mlp）</h1>');
    expect(html).toContain('<h2>预期用途</h2>');
    expect(html).toContain('<p>Forecast OT.</p>');
    expect(html).not.toContain('Intended use');
  });

  it('leaves a card without coded headings as written', () => {
    expect(cardHeadings('zh-CN', {})).toBeUndefined();
    expect(withHeadings(page, undefined)).toContain('<h2>Intended use</h2>');
  });
});
