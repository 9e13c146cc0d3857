//! Amounts and dates the way the admin's locale writes them, chosen from the browser's
//! Accept-Language. A small table instead of a CLDR crate: the browser build carries it, and
//! these few locales need only separators, a currency pattern and a date pattern each.

use std::fmt::Write;

use crate::domain::calendar::DateTime;
use crate::domain::money::decimal_string;

/// A locale the app formats for. Anything else falls back to one of its language, or en-US.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Locale {
    #[default]
    EnUs,
    EnGb,
    EnIn,
    DeDe,
    FrFr,
    EsEs,
    ItIt,
    NlNl,
    PtBr,
    JaJp,
}

/// How one locale writes numbers, money and dates (after CLDR, as browsers' `Intl` does).
struct Conventions {
    tag: &'static str,
    decimal: char,
    group: char,
    /// Digits per group after the first three from the right: India writes 12,34,567.
    later_groups: usize,
    /// CLDR's minimum grouping digits: Spanish writes 1234 but 12.345.
    min_grouping: usize,
    /// `-` the sign (negative amounts only), `¤` the currency, `#` the number; others literal.
    money: &'static str,
    /// `d` the day, `D` the day in two digits, `b` the month's abbreviation, `M` the month in
    /// two digits, `y` the year; others literal.
    date: &'static str,
    /// Unused where the date pattern has no `b`.
    months: &'static [&'static str; 12],
    /// The locale's own currency and its symbol, where it is not one of [`SYMBOLS`].
    own_currency: Option<(&'static str, &'static str)>,
}

/// Currencies shown by their symbol in every locale; others by their ISO code.
const SYMBOLS: &[(&str, &str)] = &[("usd", "$"), ("eur", "€"), ("gbp", "£"), ("jpy", "¥")];

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const ES_MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
const IT_MONTHS: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];
const NL_MONTHS: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

const NBSP: char = '\u{a0}';
const NARROW_NBSP: char = '\u{202f}';

/// Digits in threes from four on, and no currency of its own; the few others override it.
const fn in_threes(
    tag: &'static str,
    (decimal, group): (char, char),
    money: &'static str,
    date: &'static str,
    months: &'static [&'static str; 12],
) -> Conventions {
    Conventions {
        tag,
        decimal,
        group,
        later_groups: 3,
        min_grouping: 1,
        money,
        date,
        months,
        own_currency: None,
    }
}

const EN_US: Conventions = in_threes("en-US", ('.', ','), "-¤#", "b d, y", &EN_MONTHS);
const EN_GB: Conventions = in_threes("en-GB", ('.', ','), "-¤#", "d b y", &EN_MONTHS);
const EN_IN: Conventions = Conventions {
    later_groups: 2,
    own_currency: Some(("inr", "₹")),
    ..in_threes("en-IN", ('.', ','), "-¤#", "d b y", &EN_MONTHS)
};
const DE_DE: Conventions = in_threes("de-DE", (',', '.'), "-#\u{a0}¤", "D.M.y", &EN_MONTHS);
const FR_FR: Conventions = in_threes(
    "fr-FR",
    (',', NARROW_NBSP),
    "-#\u{a0}¤",
    "d b y",
    &FR_MONTHS,
);
const ES_ES: Conventions = Conventions {
    min_grouping: 2,
    ..in_threes("es-ES", (',', '.'), "-#\u{a0}¤", "d b y", &ES_MONTHS)
};
const IT_IT: Conventions = in_threes("it-IT", (',', '.'), "-#\u{a0}¤", "d b y", &IT_MONTHS);
const NL_NL: Conventions = in_threes("nl-NL", (',', '.'), "¤\u{a0}-#", "d b y", &NL_MONTHS);
const PT_BR: Conventions = Conventions {
    own_currency: Some(("brl", "R$")),
    ..in_threes("pt-BR", (',', '.'), "-¤\u{a0}#", "D/M/y", &EN_MONTHS)
};
const JA_JP: Conventions = Conventions {
    own_currency: Some(("jpy", "￥")),
    ..in_threes("ja-JP", ('.', ','), "-¤#", "y/M/D", &EN_MONTHS)
};

impl Locale {
    /// Every supported locale; the first of each language is the one its other regions get.
    const ALL: [Locale; 10] = [
        Locale::EnUs,
        Locale::EnGb,
        Locale::EnIn,
        Locale::DeDe,
        Locale::FrFr,
        Locale::EsEs,
        Locale::ItIt,
        Locale::NlNl,
        Locale::PtBr,
        Locale::JaJp,
    ];

    fn conventions(self) -> &'static Conventions {
        match self {
            Locale::EnUs => &EN_US,
            Locale::EnGb => &EN_GB,
            Locale::EnIn => &EN_IN,
            Locale::DeDe => &DE_DE,
            Locale::FrFr => &FR_FR,
            Locale::EsEs => &ES_ES,
            Locale::ItIt => &IT_IT,
            Locale::NlNl => &NL_NL,
            Locale::PtBr => &PT_BR,
            Locale::JaJp => &JA_JP,
        }
    }

    /// The BCP 47 tag, as `<html lang>` takes it: "en-US".
    pub fn tag(self) -> &'static str {
        self.conventions().tag
    }

    /// The best supported locale for an Accept-Language header (or a single tag, such as
    /// `<html lang>`): languages in order of their q-values, each matched by its exact tag,
    /// else by its language (de-AT → de-DE); en-US when none matches.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut ranges: Vec<(&str, f32)> = header
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim();
                let quality = match parts.find_map(|param| param.trim().strip_prefix("q=")) {
                    Some(q) => q.trim().parse().ok().filter(|q| (0.0..=1.0).contains(q))?,
                    None => 1.0,
                };
                // q=0 means "not this one".
                (quality > 0.0).then_some((tag, quality))
            })
            .collect();
        // Stable: equal q-values keep the header's order, which is the user's preference.
        ranges.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranges
            .into_iter()
            .find_map(|(tag, _)| Self::matching(tag))
            .unwrap_or_default()
    }

    fn matching(tag: &str) -> Option<Locale> {
        let language = tag.split('-').next()?;
        let same_language = |locale: &&Locale| {
            locale
                .tag()
                .split_once('-')
                .is_some_and(|(own, _)| own.eq_ignore_ascii_case(language))
        };
        Self::ALL
            .iter()
            .find(|locale| locale.tag().eq_ignore_ascii_case(tag))
            .or_else(|| Self::ALL.iter().find(same_language))
            .copied()
    }

    /// `amount` minor units of `currency` for people: "$1,234.50" in en-US, "1.234,50 €" in
    /// de-DE, "CHF 12.00" for a currency without a symbol here. Integers only.
    pub fn money(self, amount: i64, currency: &str) -> String {
        let conventions = self.conventions();
        let code = currency.to_ascii_lowercase();
        let plain = decimal_string(amount, &code);
        let digits = plain.strip_prefix('-').unwrap_or(&plain);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let mut number = conventions.group(whole);
        if !fraction.is_empty() {
            number.push(conventions.decimal);
            number.push_str(fraction);
        }
        let symbol = conventions
            .own_currency
            .into_iter()
            .chain(SYMBOLS.iter().copied())
            .find(|(own, _)| *own == code)
            .map_or_else(
                || code.to_ascii_uppercase(),
                |(_, symbol)| symbol.to_owned(),
            );
        // A code written against the digits would run into them ("CHF12.00"): CLDR spaces it.
        let spaced_symbol = symbol.ends_with(|c: char| c.is_ascii_alphabetic());
        render(conventions.money, |field, out| {
            match field {
                '-' if amount < 0 => out.push('-'),
                '-' => {}
                '¤' => {
                    out.push_str(&symbol);
                    if spaced_symbol && conventions.money.contains("¤#") {
                        out.push(NBSP);
                    }
                }
                '#' => out.push_str(&number),
                _ => return false,
            }
            true
        })
    }

    /// The month's short name ("Nov"); English where the locale writes dates in numbers.
    pub fn month_abbr(self, month: u32) -> &'static str {
        self.conventions().months[month as usize - 1]
    }

    /// The UTC day of `unix_secs` for people: "Nov 27, 2026" in en-US, "27.11.2026" in de-DE.
    /// The date as [`Locale::date`] writes it, then the time of day in UTC, 24-hour.
    pub fn date_time(self, unix_secs: i64) -> String {
        let DateTime { hour, minute, .. } = DateTime::from_unix(unix_secs);
        format!("{} {hour:02}:{minute:02} UTC", self.date(unix_secs))
    }

    pub fn date(self, unix_secs: i64) -> String {
        let conventions = self.conventions();
        let DateTime {
            year, month, day, ..
        } = DateTime::from_unix(unix_secs);
        render(conventions.date, |field, out| {
            // Writing to a String cannot fail.
            let _ = match field {
                'd' => write!(out, "{day}"),
                'D' => write!(out, "{day:02}"),
                'b' => out.write_str(conventions.months[month as usize - 1]),
                'M' => write!(out, "{month:02}"),
                'y' => write!(out, "{year}"),
                _ => return false,
            };
            true
        })
    }
}

impl Conventions {
    /// `whole` (ASCII digits) with the locale's group separators.
    fn group(&self, whole: &str) -> String {
        if whole.len() < 3 + self.min_grouping {
            return whole.to_owned();
        }
        let mut grouped = String::with_capacity(whole.len() * 2);
        for (i, digit) in whole.chars().enumerate() {
            let left = whole.len() - i;
            if i > 0 && left >= 3 && (left - 3).is_multiple_of(self.later_groups) {
                grouped.push(self.group);
            }
            grouped.push(digit);
        }
        grouped
    }
}

/// `pattern` with each field character written by `field` (which says whether `c` was one);
/// any other character is copied as it is.
fn render(pattern: &str, mut field: impl FnMut(char, &mut String) -> bool) -> String {
    let mut out = String::new();
    for c in pattern.chars() {
        if !field(c, &mut out) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-27T12:00:00Z, and 2026-02-01T00:00:00Z for the padding of day and month.
    const NOV_27: i64 = 1_795_780_800;
    const FEB_1: i64 = 1_769_904_000;

    #[test]
    fn en_us_money_groups_thousands_and_puts_the_symbol_first() {
        let en = Locale::EnUs;
        assert_eq!(en.money(20_000, "usd"), "$200.00");
        assert_eq!(en.money(123_456_789, "usd"), "$1,234,567.89");
        assert_eq!(en.money(5, "eur"), "€0.05");
        assert_eq!(en.money(-2_550, "gbp"), "-£25.50");
        assert_eq!(en.money(500, "jpy"), "¥500");
        assert_eq!(en.money(12_345, "KWD"), "KWD\u{a0}12.345");
        assert_eq!(en.money(1_000_000, "chf"), "CHF\u{a0}10,000.00");
    }

    #[test]
    fn european_money_swaps_the_separators_and_puts_the_symbol_after() {
        assert_eq!(Locale::DeDe.money(123_450, "eur"), "1.234,50\u{a0}€");
        assert_eq!(Locale::DeDe.money(2_500, "usd"), "25,00\u{a0}$");
        assert_eq!(
            Locale::DeDe.money(-123_456_789, "eur"),
            "-1.234.567,89\u{a0}€"
        );
        assert_eq!(Locale::DeDe.money(1_200, "chf"), "12,00\u{a0}CHF");
        assert_eq!(Locale::ItIt.money(123_450, "eur"), "1.234,50\u{a0}€");
        assert_eq!(
            Locale::FrFr.money(123_456_789, "eur"),
            "1\u{202f}234\u{202f}567,89\u{a0}€"
        );
        assert_eq!(Locale::FrFr.money(-500, "jpy"), "-500\u{a0}¥");
    }

    #[test]
    fn spanish_groups_only_from_five_digits() {
        assert_eq!(Locale::EsEs.money(123_450, "eur"), "1234,50\u{a0}€");
        assert_eq!(Locale::EsEs.money(1_234_500, "eur"), "12.345,00\u{a0}€");
    }

    #[test]
    fn indian_english_groups_lakhs_and_crores() {
        assert_eq!(
            Locale::EnIn.money(12_345_678_900, "inr"),
            "₹12,34,56,789.00"
        );
        assert_eq!(Locale::EnIn.money(123_400, "inr"), "₹1,234.00");
        assert_eq!(Locale::EnIn.money(-12_345_600, "usd"), "-$1,23,456.00");
    }

    #[test]
    fn symbol_before_the_number_with_the_sign_where_the_locale_puts_it() {
        assert_eq!(Locale::NlNl.money(-123_450, "eur"), "€\u{a0}-1.234,50");
        assert_eq!(Locale::PtBr.money(123_450, "brl"), "R$\u{a0}1.234,50");
        assert_eq!(Locale::PtBr.money(-2_500, "usd"), "-$\u{a0}25,00");
        assert_eq!(Locale::JaJp.money(1_234_567, "jpy"), "￥1,234,567");
        assert_eq!(Locale::JaJp.money(-2_500, "usd"), "-$25.00");
    }

    #[test]
    fn the_smallest_amount_keeps_every_digit() {
        assert_eq!(
            Locale::EnUs.money(i64::MIN, "usd"),
            "-$92,233,720,368,547,758.08"
        );
    }

    #[test]
    fn a_date_and_time_adds_the_utc_time_of_day_in_24_hours() {
        // NOV_27 is at noon.
        let evening = NOV_27 + 9 * 3600 + 5 * 60;
        assert_eq!(Locale::EnUs.date_time(evening), "Nov 27, 2026 21:05 UTC");
        assert_eq!(Locale::DeDe.date_time(FEB_1), "01.02.2026 00:00 UTC");
    }

    #[test]
    fn dates_follow_the_locale_s_order_and_month_names() {
        let cases = [
            (Locale::EnUs, "Nov 27, 2026", "Feb 1, 2026"),
            (Locale::EnGb, "27 Nov 2026", "1 Feb 2026"),
            (Locale::EnIn, "27 Nov 2026", "1 Feb 2026"),
            (Locale::DeDe, "27.11.2026", "01.02.2026"),
            (Locale::FrFr, "27 nov. 2026", "1 févr. 2026"),
            (Locale::EsEs, "27 nov 2026", "1 feb 2026"),
            (Locale::ItIt, "27 nov 2026", "1 feb 2026"),
            (Locale::NlNl, "27 nov 2026", "1 feb 2026"),
            (Locale::PtBr, "27/11/2026", "01/02/2026"),
            (Locale::JaJp, "2026/11/27", "2026/02/01"),
        ];
        for (locale, november, february) in cases {
            assert_eq!(locale.date(NOV_27), november, "{locale:?}");
            assert_eq!(locale.date(FEB_1), february, "{locale:?}");
        }
    }

    #[test]
    fn every_locale_is_found_by_its_own_tag() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_accept_language(locale.tag()), locale);
        }
    }

    #[test]
    fn accept_language_is_matched_by_tag_case_insensitively() {
        assert_eq!(Locale::from_accept_language("de-DE,de;q=0.9"), Locale::DeDe);
        assert_eq!(Locale::from_accept_language("en-gb"), Locale::EnGb);
        assert_eq!(
            Locale::from_accept_language(" pt-BR ; q=0.8 "),
            Locale::PtBr
        );
    }

    #[test]
    fn accept_language_falls_back_to_the_language() {
        assert_eq!(Locale::from_accept_language("de-AT"), Locale::DeDe);
        assert_eq!(Locale::from_accept_language("en"), Locale::EnUs);
        assert_eq!(Locale::from_accept_language("en-AU,en;q=0.9"), Locale::EnUs);
        assert_eq!(Locale::from_accept_language("fr-CA"), Locale::FrFr);
        assert_eq!(Locale::from_accept_language("pt"), Locale::PtBr);
    }

    #[test]
    fn accept_language_follows_q_values_not_the_header_order() {
        for (header, expected) in [
            ("fr-FR;q=0.5, de-DE;q=0.8, ja", Locale::JaJp),
            ("fr-FR;q=0.5, de-DE;q=0.8", Locale::DeDe),
            // A preferred language is taken through its fallback before a less preferred exact tag.
            ("it-CH, en-GB;q=0.7", Locale::ItIt),
        ] {
            assert_eq!(Locale::from_accept_language(header), expected, "{header}");
        }
    }

    #[test]
    fn accept_language_skips_unsupported_refused_and_malformed_ranges() {
        for (header, expected) in [
            ("sv-SE, nl;q=0.5", Locale::NlNl),
            ("de;q=0, es", Locale::EsEs),
            ("de;q=high, es;q=0.1", Locale::EsEs),
            ("de;q=2, it;q=0.1", Locale::ItIt),
        ] {
            assert_eq!(Locale::from_accept_language(header), expected, "{header}");
        }
    }

    #[test]
    fn no_usable_language_means_en_us() {
        for header in ["", "*", "sv-SE, zh;q=0.8", ",;q=,", "de;q=0"] {
            assert_eq!(
                Locale::from_accept_language(header),
                Locale::EnUs,
                "{header:?}"
            );
        }
    }
}
