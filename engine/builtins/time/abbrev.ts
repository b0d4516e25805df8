/**
 * Time-zone abbreviations for the `MST` layout element, as Go prints them from tzdata. `Intl`
 * knows the North American names (en-US) and the European ones (en-GB); tzdata's other alphabetic
 * abbreviations are listed here; everything else is numeric (`+03`, `+0530`), as tzdata itself
 * has it for most of the world.
 */

/** Zone → [standard, daylight] abbreviations that neither Intl locale reports as tzdata does. */
const TZDATA: Readonly<Record<string, readonly [string, string]>> = {
  'Asia/Kolkata': ['IST', 'IST'], 'Asia/Calcutta': ['IST', 'IST'],
  'Asia/Tokyo': ['JST', 'JDT'], 'Asia/Seoul': ['KST', 'KDT'], 'Asia/Pyongyang': ['KST', 'KST'],
  'Asia/Shanghai': ['CST', 'CDT'], 'Asia/Chongqing': ['CST', 'CDT'], 'Asia/Harbin': ['CST', 'CDT'],
  'Asia/Taipei': ['CST', 'CDT'], 'Asia/Macau': ['CST', 'CDT'], 'PRC': ['CST', 'CDT'], 'ROC': ['CST', 'CDT'],
  'Asia/Hong_Kong': ['HKT', 'HKST'], 'Asia/Manila': ['PST', 'PDT'], 'Asia/Karachi': ['PKT', 'PKST'],
  'Asia/Jakarta': ['WIB', 'WIB'], 'Asia/Pontianak': ['WIB', 'WIB'], 'Asia/Makassar': ['WITA', 'WITA'], 'Asia/Jayapura': ['WIT', 'WIT'],
  'Asia/Jerusalem': ['IST', 'IDT'], 'Asia/Tel_Aviv': ['IST', 'IDT'], 'Israel': ['IST', 'IDT'],
  'Europe/Moscow': ['MSK', 'MSD'], 'Europe/Simferopol': ['MSK', 'MSK'], 'Europe/Dublin': ['GMT', 'IST'], 'Eire': ['GMT', 'IST'],
  'Australia/Sydney': ['AEST', 'AEDT'], 'Australia/Melbourne': ['AEST', 'AEDT'], 'Australia/Hobart': ['AEST', 'AEDT'],
  'Australia/Canberra': ['AEST', 'AEDT'], 'Australia/ACT': ['AEST', 'AEDT'], 'Australia/NSW': ['AEST', 'AEDT'],
  'Australia/Victoria': ['AEST', 'AEDT'], 'Australia/Tasmania': ['AEST', 'AEDT'],
  'Australia/Brisbane': ['AEST', 'AEDT'], 'Australia/Queensland': ['AEST', 'AEDT'], 'Australia/Lindeman': ['AEST', 'AEDT'],
  'Australia/Adelaide': ['ACST', 'ACDT'], 'Australia/South': ['ACST', 'ACDT'], 'Australia/Broken_Hill': ['ACST', 'ACDT'],
  'Australia/Darwin': ['ACST', 'ACDT'], 'Australia/North': ['ACST', 'ACDT'],
  'Australia/Perth': ['AWST', 'AWDT'], 'Australia/West': ['AWST', 'AWDT'],
  'Pacific/Auckland': ['NZST', 'NZDT'], 'NZ': ['NZST', 'NZDT'], 'Antarctica/McMurdo': ['NZST', 'NZDT'],
  'Pacific/Guam': ['ChST', 'ChST'], 'Pacific/Saipan': ['ChST', 'ChST'], 'Pacific/Pago_Pago': ['SST', 'SST'],
  'Africa/Johannesburg': ['SAST', 'SAST'], 'Africa/Maseru': ['SAST', 'SAST'], 'Africa/Mbabane': ['SAST', 'SAST'],
  'Africa/Nairobi': ['EAT', 'EAT'], 'Africa/Addis_Ababa': ['EAT', 'EAT'], 'Africa/Dar_es_Salaam': ['EAT', 'EAT'],
  'Africa/Kampala': ['EAT', 'EAT'], 'Africa/Mogadishu': ['EAT', 'EAT'],
  'Africa/Lagos': ['WAT', 'WAT'], 'Africa/Kinshasa': ['WAT', 'WAT'], 'Africa/Luanda': ['WAT', 'WAT'], 'Africa/Douala': ['WAT', 'WAT'],
  'Africa/Maputo': ['CAT', 'CAT'], 'Africa/Harare': ['CAT', 'CAT'], 'Africa/Lusaka': ['CAT', 'CAT'], 'Africa/Kigali': ['CAT', 'CAT'],
  'Africa/Khartoum': ['CAT', 'CAT'], 'Africa/Windhoek': ['CAT', 'CAT'],
  'GMT': ['GMT', 'GMT'], 'Etc/GMT': ['GMT', 'GMT'], 'GMT0': ['GMT', 'GMT'], 'Etc/GMT0': ['GMT', 'GMT'],
  'Greenwich': ['GMT', 'GMT'], 'Etc/Greenwich': ['GMT', 'GMT'], 'Etc/GMT+0': ['GMT', 'GMT'], 'Etc/GMT-0': ['GMT', 'GMT'],
  'Africa/Cairo': ['EET', 'EEST'], 'Africa/Tripoli': ['EET', 'EET'], 'Egypt': ['EET', 'EEST'], 'Libya': ['EET', 'EET'],
};

/** Zones whose en-GB names are not tzdata's (en-GB says `GST` for the Gulf, tzdata `+04`). */
const EN_GB_TRUSTED = /^(Europe|Atlantic)\//;

export interface AbbrevSource {
  ianaName: string;
  /** The zone's short name in a locale at an instant. */
  intlName(locale: 'en-US' | 'en-GB', epochSec: number): string;
  offsetAt(epochSec: number): number;
}

const HALF_YEAR = 182 * 86400;

export function abbreviation(z: AbbrevSource, epochSec: number): string {
  const offset = z.offsetAt(epochSec);
  if (Object.prototype.hasOwnProperty.call(TZDATA, z.ianaName)) {
    // Daylight time is the larger of the offsets around this instant.
    const standard = Math.min(offset, z.offsetAt(epochSec - HALF_YEAR), z.offsetAt(epochSec + HALF_YEAR));
    return TZDATA[z.ianaName]![offset > standard ? 1 : 0];
  }
  const us = z.intlName('en-US', epochSec);
  if (us === 'GMT' || us === 'UTC' || isAlphabetic(us)) return us;
  if (EN_GB_TRUSTED.test(z.ianaName)) {
    const gb = z.intlName('en-GB', epochSec);
    if (gb === 'GMT' || isAlphabetic(gb)) return gb;
  }
  return numeric(offset);
}

function isAlphabetic(name: string): boolean {
  return name !== '' && !name.startsWith('GMT') && !name.startsWith('UTC');
}

/** tzdata's numeric abbreviation: `+03`, `+0530`, `-0930`. */
function numeric(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = String(Math.floor(abs / 3600)).padStart(2, '0');
  const m = Math.floor(abs / 60) % 60;
  return m === 0 ? `${sign}${h}` : `${sign}${h}${String(m).padStart(2, '0')}`;
}
