import { describe, expect, it } from 'vitest';
import { CHROME_LANGUAGES, componentStatusLabel, indicatorLabel, label, stateLabel } from './labels.ts';

describe('status page labels', () => {
  it('follow the language, its base language, else English', () => {
    expect(indicatorLabel('am', 'none')).toBe('ሁሉም ሥርዓቶች በመደበኛ ሁኔታ እየሠሩ ናቸው');
    expect(indicatorLabel('am-ET', 'critical')).toBe('ከፍተኛ የሥርዓት መቋረጥ');
    expect(indicatorLabel('fr', 'none')).toBe('All Systems Operational');
    expect(componentStatusLabel('en', 'degraded_performance')).toBe('Degraded Performance');
    expect(stateLabel('am', 'resolved')).toBe('ተፈትቷል');
    // A plan's own state has no translation: shown as it is.
    expect(stateLabel('am', 'mitigated')).toBe('mitigated');
    expect(label('en', 'email.confirm_subject', { page: 'Acme status' })).toBe(
      'Confirm your subscription to Acme status',
    );
    expect(CHROME_LANGUAGES).toEqual(['en', 'am']);
  });
});
