// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectLang, I18nProvider, translate, useI18n } from '../../i18n/i18n';
import { LangSwitch } from '../Layout';

function Title() {
  const { t } = useI18n();
  return <h1>{t('nav.datasets')}</h1>;
}

describe('i18n', () => {
  beforeEach(() => localStorage.clear());
  afterEach(cleanup);

  it('picks zh-CN when the browser asks for Chinese, a stored choice first', () => {
    expect(detectLang(null, ['zh-CN', 'en-US'])).toBe('zh-CN');
    expect(detectLang(null, ['zh-TW'])).toBe('zh-CN');
    expect(detectLang(null, ['fr-FR', 'en-GB', 'zh-CN'])).toBe('en');
    expect(detectLang(null, ['de-DE'])).toBe('en');
    expect(detectLang('en', ['zh-CN'])).toBe('en');
    expect(detectLang('bogus', ['zh'])).toBe('zh-CN');
  });

  it('fills parameters and falls back to the key', () => {
    expect(translate('en', 'common.showing', { from: 1, to: 10, total: 42 })).toBe('1–10 of 42');
    expect(translate('zh-CN', 'training.liveMetrics', { n: 3, total: 5 })).toBe('实时指标事件 3 个 · 共 5 个');
    expect(translate('en', 'nope.missing' as never)).toBe('nope.missing');
  });

  it('switches language from the header and remembers it', () => {
    render(<I18nProvider><LangSwitch /><Title /></I18nProvider>);
    expect(screen.getByRole('heading').textContent).toBe('Datasets');
    fireEvent.click(screen.getByRole('button', { name: '中文' }));
    expect(screen.getByRole('heading').textContent).toBe('数据集');
    expect(localStorage.getItem('loadstar.lang')).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    cleanup();
    render(<I18nProvider><Title /></I18nProvider>);
    expect(screen.getByRole('heading').textContent).toBe('数据集');
  });
});
