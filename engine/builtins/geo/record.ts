/** What a geo database answers for one public address. */
export interface GeoRecord {
  /** ISO 3166-1 alpha-2 country code, upper case. */
  country: string;
  /** ISO 3166-2 subdivision code including the country (`US-CA`), when the database has one. */
  region?: string;
  city?: string;
  /** Continent code (`EU`, `NA`, ...), when the database has one. */
  continent?: string;
}

/** A loaded database: lookups are synchronous and never throw for an address. */
export interface GeoDatabase {
  /** `embedded` or the path of the `.mmdb` file. */
  readonly source: string;
  lookup(v6: boolean, n: bigint): GeoRecord | undefined;
}

export const COUNTRY_CODE = /^[A-Z]{2}$/;
