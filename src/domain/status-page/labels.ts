import type { ComponentStatus, Indicator } from './status-page.ts';

// The status page's own words (its chrome: banners, headings, status names, the subscribe form) and
// those of the emails subscribers get, per language. The texts of incidents and maintenance come
// from their authors in each language; these follow the reader's language the same way, falling
// back to English for a language without a translation here.

const EN = {
  'indicator.none': 'All Systems Operational',
  'indicator.minor': 'Minor Service Outage',
  'indicator.major': 'Partial System Outage',
  'indicator.critical': 'Major System Outage',
  'indicator.maintenance': 'Service Under Maintenance',
  'component.operational': 'Operational',
  'component.degraded_performance': 'Degraded Performance',
  'component.partial_outage': 'Partial Outage',
  'component.major_outage': 'Major Outage',
  'component.under_maintenance': 'Under Maintenance',
  'state.investigating': 'Investigating',
  'state.identified': 'Identified',
  'state.monitoring': 'Monitoring',
  'state.resolved': 'Resolved',
  'state.postmortem': 'Postmortem',
  'state.scheduled': 'Scheduled',
  'state.in_progress': 'In progress',
  'state.verifying': 'Verifying',
  'state.completed': 'Completed',
  'page.active_incidents': 'Active incidents',
  'page.maintenance': 'Maintenance',
  'page.emergency_maintenance': 'Emergency maintenance',
  'page.since': 'since',
  'page.components': 'Components',
  'page.past_incidents': 'Past incidents',
  'page.no_incidents': 'No incidents reported.',
  'page.days_ago': '90 days ago',
  'page.uptime': '% uptime',
  'page.today': 'Today',
  'page.updated': 'Updated',
  'page.language': 'Language',
  'subscribe.title': 'Subscribe to updates',
  'subscribe.email': 'Email address',
  'subscribe.button': 'Subscribe',
  'subscribe.check_inbox': 'Check your inbox: follow the link we sent to confirm your subscription.',
  'subscribe.confirm_title': 'Confirm your subscription',
  'subscribe.confirm_button': 'Confirm',
  'subscribe.confirmed': 'Your subscription is confirmed. You will receive updates by email.',
  'subscribe.unsubscribe_title': 'Unsubscribe',
  'subscribe.unsubscribe_button': 'Unsubscribe',
  'subscribe.unsubscribed': 'You are unsubscribed and will receive no more updates.',
  'subscribe.invalid_link': 'This link is not valid (used, expired, or mistyped).',
  'email.confirm_subject': 'Confirm your subscription to {page}',
  'email.confirm_text':
    'Someone (hopefully you) asked to receive updates from {page} at this address. To confirm, open this link:',
  'email.ignore': 'If this was not you, ignore this email: nothing is sent without confirmation.',
  'email.view': 'View on the status page',
  'email.unsubscribe': 'Unsubscribe',
} as const;

export type LabelKey = keyof typeof EN;

const AM: Record<LabelKey, string> = {
  'indicator.none': 'ሁሉም ሥርዓቶች በመደበኛ ሁኔታ እየሠሩ ናቸው',
  'indicator.minor': 'መጠነኛ የአገልግሎት መቋረጥ',
  'indicator.major': 'ከፊል የሥርዓት መቋረጥ',
  'indicator.critical': 'ከፍተኛ የሥርዓት መቋረጥ',
  'indicator.maintenance': 'አገልግሎቱ በጥገና ላይ ነው',
  'component.operational': 'በመደበኛ ሁኔታ',
  'component.degraded_performance': 'የቀነሰ አፈጻጸም',
  'component.partial_outage': 'ከፊል መቋረጥ',
  'component.major_outage': 'ከፍተኛ መቋረጥ',
  'component.under_maintenance': 'በጥገና ላይ',
  'state.investigating': 'በምርመራ ላይ',
  'state.identified': 'መንስኤው ተለይቷል',
  'state.monitoring': 'በክትትል ላይ',
  'state.resolved': 'ተፈትቷል',
  'state.postmortem': 'የድኅረ-ክስተት ግምገማ',
  'state.scheduled': 'የታቀደ',
  'state.in_progress': 'በሂደት ላይ',
  'state.verifying': 'በማረጋገጥ ላይ',
  'state.completed': 'ተጠናቋል',
  'page.active_incidents': 'ንቁ ክስተቶች',
  'page.maintenance': 'ጥገና',
  'page.emergency_maintenance': 'የአስቸኳይ ጊዜ ጥገና',
  'page.since': 'ከ',
  'page.components': 'ክፍሎች',
  'page.past_incidents': 'ያለፉ ክስተቶች',
  'page.no_incidents': 'ምንም ክስተት አልተዘገበም።',
  'page.days_ago': 'ከ90 ቀናት በፊት',
  'page.uptime': '% የሥራ ጊዜ',
  'page.today': 'ዛሬ',
  'page.updated': 'የዘመነው',
  'page.language': 'ቋንቋ',
  'subscribe.title': 'ለዝማኔዎች ይመዝገቡ',
  'subscribe.email': 'የኢሜይል አድራሻ',
  'subscribe.button': 'ይመዝገቡ',
  'subscribe.check_inbox': 'የኢሜይል ሳጥንዎን ይመልከቱ፤ ምዝገባዎን ለማረጋገጥ የላክነውን ማስፈንጠሪያ ይከተሉ።',
  'subscribe.confirm_title': 'ምዝገባዎን ያረጋግጡ',
  'subscribe.confirm_button': 'አረጋግጥ',
  'subscribe.confirmed': 'ምዝገባዎ ተረጋግጧል። ዝማኔዎችን በኢሜይል ይደርስዎታል።',
  'subscribe.unsubscribe_title': 'ከምዝገባ መውጫ',
  'subscribe.unsubscribe_button': 'ከምዝገባ ውጣ',
  'subscribe.unsubscribed': 'ከምዝገባ ወጥተዋል፤ ተጨማሪ ዝማኔዎች አይላኩልዎትም።',
  'subscribe.invalid_link': 'ይህ ማስፈንጠሪያ የሚሠራ አይደለም (ጥቅም ላይ የዋለ፣ ጊዜው ያለፈበት ወይም የተሳሳተ)።',
  'email.confirm_subject': 'ለ{page} ያደረጉትን ምዝገባ ያረጋግጡ',
  'email.confirm_text':
    'አንድ ሰው (እርስዎ እንደሆኑ ተስፋ እናደርጋለን) ከ{page} ዝማኔዎችን በዚህ አድራሻ ለመቀበል ጠይቋል። ለማረጋገጥ ይህን ማስፈንጠሪያ ይክፈቱ፦',
  'email.ignore': 'እርስዎ ካልሆኑ ይህን ኢሜይል ችላ ይበሉ፤ ያለ ማረጋገጫ ምንም አይላክም።',
  'email.view': 'በሁኔታ ገጹ ላይ ይመልከቱ',
  'email.unsubscribe': 'ከምዝገባ ውጣ',
};

const LABELS: Record<string, Record<LabelKey, string>> = { en: EN, am: AM };

/** The languages the chrome is translated into. */
export const CHROME_LANGUAGES = Object.keys(LABELS);

/** A label in the language (or its base language, am-ET → am), else in English; {name} filled from vars. */
export function label(language: string, key: LabelKey, vars: Record<string, string> = {}): string {
  const table = LABELS[language] ?? LABELS[language.split('-')[0] ?? ''] ?? EN;
  return table[key].replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

export function indicatorLabel(language: string, indicator: Indicator): string {
  return label(language, `indicator.${indicator}`);
}

export function componentStatusLabel(language: string, status: ComponentStatus): string {
  return label(language, `component.${status}`);
}

/** An incident or maintenance status's name; an unknown one (a plan's own state) as it is. */
export function stateLabel(language: string, state: string): string {
  const key = `state.${state}`;
  return key in EN ? label(language, key as LabelKey) : state;
}
