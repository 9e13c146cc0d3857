//! Geometry and text of the billing page's monthly chart: sessions as bars on a left scale,
//! money as a line with diamond markers on a right scale. Pure, so the server renders the very
//! SVG the browser hydrates. Coordinates are in the units of a fixed view box; the SVG scales.

use crate::components::locale::Locale;
use crate::domain::calendar::Month;
use crate::domain::monthly::MonthTotal;

/// Small, so that the labels stay legible when the chart is 300 px wide on a phone.
pub const WIDTH: f64 = 320.0;
pub const HEIGHT: f64 = 220.0;
/// Font size of every label, in view box units.
pub const FONT: f64 = 12.0;

/// Room for the label above the tallest bar.
const TOP: f64 = FONT + LABEL_GAP;
/// Room for two lines of month labels.
const BOTTOM: f64 = 2.0 * FONT + 10.0;
/// Text is not measured on the server: a generous average glyph width for tick labels.
const CHAR_WIDTH: f64 = 0.64 * FONT;
/// Gap between a tick label and the plot.
const GAP: f64 = 4.0;
/// A month with a few sessions next to a huge one still shows a bar.
const MIN_BAR: f64 = 2.0;
/// Half the width of a money marker.
const MARKER: f64 = 4.0;
/// From a bar's top to its label's baseline: clear of a money marker sitting on the bar.
const LABEL_GAP: f64 = MARKER + 4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }
}

/// One line of a scale: where its text is anchored, and the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// One month: its bar, its money marker and its figures as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// "D": twelve short names do not fit side by side on a phone; `title` has the name.
    pub initial: String,
    /// Under each January and under the first month, so every month's year is clear; not
    /// under a first December, where it would run into January's.
    pub year: Option<String>,
    /// "Dec 2025".
    pub title: String,
    /// The real net figure, negative when refunds exceeded purchases (the bar stays at 0).
    pub sessions: String,
    /// Above the bar: the figure, unless it is 0 (no bar says that, without twelve zeros).
    pub label: Option<String>,
    pub amount: String,
    pub center: f64,
    pub bar: Rect,
    /// Baseline of `label`.
    pub label_y: f64,
    pub point: (f64, f64),
    /// SVG path of the diamond at `point`.
    pub marker: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyChart {
    pub plot: Rect,
    /// Left scale.
    pub sessions_ticks: Vec<Tick>,
    /// Right scale.
    pub money_ticks: Vec<Tick>,
    pub columns: Vec<Column>,
    /// Baselines of the month initials and, under them, the years.
    pub month_y: f64,
    pub year_y: f64,
    /// SVG `points` of the money line.
    pub line: String,
    /// The gist in one sentence, for the SVG's description.
    pub description: String,
}

/// The smallest "nice" scale maximum (5, 10, 20, 50, 100, …) at least `largest`, and the step
/// between its ticks (at most six of them, all whole numbers).
pub fn nice_scale(largest: i64) -> (i64, i64) {
    let mut power: i64 = 1;
    loop {
        for (leading, ticks) in [(1, 5), (2, 4), (5, 5)] {
            let max = leading * power;
            if max >= largest.max(5) {
                return (max, max / ticks);
            }
        }
        match power.checked_mul(10) {
            Some(next) if next <= i64::MAX / 5 => power = next,
            _ => return (largest, largest),
        }
    }
}

/// The chart of `months` (oldest first; amounts in minor units of `currency`), or `None` when
/// nothing moved in any of them: a flat chart would say less than a sentence.
pub fn monthly_chart(
    months: &[MonthTotal],
    currency: &str,
    locale: Locale,
) -> Option<MonthlyChart> {
    if months.iter().all(|m| m.sessions == 0 && m.amount == 0) {
        return None;
    }
    let (sessions_max, sessions_step) = nice_scale(months.iter().map(|m| m.sessions).max()?);
    let (money_max, money_step) = nice_scale(months.iter().map(|m| m.amount).max()?);
    let sessions_labels = tick_labels(sessions_max, sessions_step, |v| v.to_string());
    let money_labels = tick_labels(money_max, money_step, |v| locale.money(v, currency));

    let left = label_width(&sessions_labels) + GAP;
    let right = WIDTH - label_width(&money_labels) - GAP;
    let plot = Rect {
        x: left,
        y: TOP,
        width: right - left,
        height: HEIGHT - TOP - BOTTOM,
    };
    let slot = plot.width / months.len() as f64;
    let height_of = |value: i64, max: i64| value.clamp(0, max) as f64 / max as f64 * plot.height;

    let columns: Vec<Column> = months
        .iter()
        .enumerate()
        .map(|(i, total)| {
            let (initial, year, title) = match Month::parse(&total.month) {
                Some(m) => {
                    let name = locale.month_abbr(m.month);
                    let year =
                        (m.month == 1 || (i == 0 && m.month != 12)).then(|| m.year.to_string());
                    (
                        name.chars().take(1).collect(),
                        year,
                        format!("{name} {}", m.year),
                    )
                }
                None => (total.month.clone(), None, total.month.clone()),
            };
            let center = round(plot.x + slot * (i as f64 + 0.5));
            let height = match height_of(total.sessions, sessions_max) {
                h if total.sessions > 0 => h.max(MIN_BAR),
                h => h,
            };
            let bar = Rect {
                x: round(center - slot * 0.3),
                y: round(plot.bottom() - height),
                width: round(slot * 0.6),
                height: round(height),
            };
            let point = (
                center,
                round(plot.bottom() - height_of(total.amount, money_max)),
            );
            Column {
                initial,
                year,
                title,
                sessions: total.sessions.to_string(),
                label: (total.sessions != 0).then(|| total.sessions.to_string()),
                amount: locale.money(total.amount, currency),
                center,
                bar,
                label_y: bar.y - LABEL_GAP,
                point,
                marker: diamond(point),
            }
        })
        .collect();

    Some(MonthlyChart {
        plot,
        sessions_ticks: ticks(sessions_labels, plot, plot.x - GAP),
        money_ticks: ticks(money_labels, plot, plot.right() + GAP),
        month_y: plot.bottom() + FONT + 2.0,
        year_y: plot.bottom() + 2.0 * FONT + 4.0,
        line: columns
            .iter()
            .map(|c| format!("{},{}", c.point.0, c.point.1))
            .collect::<Vec<_>>()
            .join(" "),
        description: describe(months, &columns, currency, locale),
        columns,
    })
}

fn tick_labels(max: i64, step: i64, label: impl Fn(i64) -> String) -> Vec<String> {
    (0..=max / step).map(|n| label(n * step)).collect()
}

/// Evenly from the bottom of the plot (the first label) to its top (the last), at `x`.
fn ticks(labels: Vec<String>, plot: Rect, x: f64) -> Vec<Tick> {
    let steps = (labels.len() - 1) as f64;
    labels
        .into_iter()
        .enumerate()
        .map(|(n, label)| Tick {
            x: round(x),
            y: round(plot.bottom() - plot.height * n as f64 / steps),
            label,
        })
        .collect()
}

fn label_width(labels: &[String]) -> f64 {
    let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    // Rounded up: a label must never be given less room than it needs.
    (chars as f64 * CHAR_WIDTH * 10.0).ceil() / 10.0
}

/// SVG path of a money marker centred on `(x, y)`.
pub fn diamond((x, y): (f64, f64)) -> String {
    format!(
        "M{},{} l{MARKER},{MARKER} l-{MARKER},{MARKER} l-{MARKER},-{MARKER} z",
        x,
        round(y - MARKER)
    )
}

fn describe(months: &[MonthTotal], columns: &[Column], currency: &str, locale: Locale) -> String {
    let sessions: i64 = months.iter().map(|m| m.sessions).sum();
    let amount: i64 = months.iter().map(|m| m.amount).sum();
    let mut text = format!(
        "Last {} months: {sessions} sessions for {}.",
        months.len(),
        locale.money(amount, currency)
    );
    // The earliest of the busiest months.
    let busiest = months
        .iter()
        .zip(columns)
        .rev()
        .max_by_key(|(m, _)| m.sessions)
        .filter(|(m, _)| m.sessions > 0);
    if let Some((month, column)) = busiest {
        text.push_str(&format!(
            " Most in {}: {} sessions.",
            column.title, month.sessions
        ));
    }
    text
}

/// One decimal is plenty in a view box this size, and keeps the SVG short.
fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve months ending Nov 2026, with (sessions, amount) given for the last ones.
    fn months(last: &[(i64, i64)]) -> Vec<MonthTotal> {
        let november = Month {
            year: 2026,
            month: 11,
        };
        (0..12)
            .map(|i| {
                let (sessions, amount) =
                    (i + last.len()).checked_sub(12).map_or((0, 0), |n| last[n]);
                MonthTotal {
                    month: november.minus(11 - i as u32).label(),
                    sessions,
                    amount,
                }
            })
            .collect()
    }

    fn chart(last: &[(i64, i64)]) -> MonthlyChart {
        monthly_chart(&months(last), "usd", Locale::EnUs).expect("a chart")
    }

    #[test]
    fn scales_end_on_one_two_or_five_times_a_power_of_ten() {
        let scales: Vec<_> = [0, 1, 5, 6, 11, 21, 51, 150, 20_000, 27_500]
            .into_iter()
            .map(nice_scale)
            .collect();
        assert_eq!(
            scales,
            [
                (5, 1),
                (5, 1),
                (5, 1),
                (10, 2),
                (20, 5),
                (50, 10),
                (100, 20),
                (200, 50),
                (20_000, 5_000),
                (50_000, 10_000)
            ]
        );
        assert_eq!(nice_scale(i64::MAX), (i64::MAX, i64::MAX));
    }

    #[test]
    fn nothing_moved_in_any_month_gives_no_chart() {
        assert_eq!(monthly_chart(&months(&[]), "usd", Locale::EnUs), None);
    }

    #[test]
    fn bars_are_sessions_on_the_left_scale_and_the_line_is_money_on_the_right() {
        let chart = chart(&[(5, 10_000), (10, 20_000)]);
        let [.., october, november] = chart.columns.as_slice() else {
            panic!("no columns")
        };
        let plot = chart.plot;
        // The scale ends at 10 sessions: November's bar is the full height, October's half.
        assert_eq!(november.bar.height, round(plot.height));
        assert_eq!(october.bar.height, round(plot.height / 2.0));
        assert_eq!(november.bar.bottom(), plot.bottom());
        assert_eq!(november.point.1, plot.y);
        assert_eq!(october.point.1, round(plot.y + plot.height / 2.0));
        assert!(october.center < november.center);
        assert_eq!(chart.columns[0].bar.height, 0.0);
        assert_eq!(chart.columns[0].label, None);
        assert_eq!(november.label.as_deref(), Some("10"));
        assert!(
            november.label_y < november.point.1 - MARKER,
            "the label is clear of the marker"
        );
        assert_eq!(
            chart
                .sessions_ticks
                .iter()
                .map(|t| &t.label[..])
                .collect::<Vec<_>>(),
            ["0", "2", "4", "6", "8", "10"]
        );
        assert_eq!(
            chart
                .money_ticks
                .iter()
                .map(|t| &t.label[..])
                .collect::<Vec<_>>(),
            ["$0.00", "$50.00", "$100.00", "$150.00", "$200.00"]
        );
        assert_eq!(chart.sessions_ticks[0].y, plot.bottom());
        assert_eq!(chart.money_ticks[4].y, plot.y);
        assert_eq!(
            (november.sessions.as_str(), november.amount.as_str()),
            ("10", "$200.00")
        );
        assert!(
            chart
                .line
                .ends_with(&format!("{},{}", november.center, plot.y))
        );
    }

    #[test]
    fn months_are_initials_with_the_year_under_january_and_the_first_month() {
        let labels = |chart: &MonthlyChart| -> Vec<(String, Option<String>)> {
            chart
                .columns
                .iter()
                .map(|c| (c.initial.clone(), c.year.clone()))
                .collect()
        };
        let label =
            |initial: &str, year: Option<&str>| (initial.to_owned(), year.map(String::from));
        // Dec 2025 to Nov 2026: January says the year, and December next to it does not.
        let chart = chart(&[(1, 2_000)]);
        let to_november = labels(&chart);
        assert_eq!(to_november[0], label("D", None));
        assert_eq!(to_november[1], label("J", Some("2026")));
        assert_eq!(to_november[2], label("F", None));
        assert_eq!(to_november[11], label("N", None));
        assert_eq!(chart.columns[0].title, "Dec 2025");
        assert_eq!(chart.columns[11].title, "Nov 2026");
        // Apr 2025 to Mar 2026.
        let mut earlier = months(&[(1, 2_000)]);
        for (back, total) in (0..12).rev().zip(&mut earlier) {
            total.month = Month {
                year: 2026,
                month: 3,
            }
            .minus(back)
            .label();
        }
        let to_march = labels(&monthly_chart(&earlier, "usd", Locale::EnUs).unwrap());
        assert_eq!(to_march[0], label("A", Some("2025")));
        assert_eq!(to_march[8], label("D", None));
        assert_eq!(to_march[9], label("J", Some("2026")));
    }

    #[test]
    fn a_month_with_more_refunded_than_bought_stays_at_zero_but_says_its_real_figures() {
        let chart = chart(&[(4, 8_000), (-2, -5_000)]);
        let november = &chart.columns[11];
        assert_eq!(november.bar.height, 0.0);
        assert_eq!(november.point.1, chart.plot.bottom());
        assert_eq!(november.sessions, "-2");
        assert_eq!(november.label.as_deref(), Some("-2"));
        assert_eq!(november.amount, "-$50.00");
    }

    #[test]
    fn a_small_month_next_to_a_huge_one_still_shows_a_bar() {
        let chart = chart(&[(1, 2_000), (1_000, 2_000_000)]);
        assert_eq!(chart.sessions_ticks.last().unwrap().label, "1000");
        assert_eq!(chart.columns[10].bar.height, MIN_BAR);
        assert_eq!(chart.columns[10].sessions, "1");
        assert_eq!(chart.columns[11].bar.height, round(chart.plot.height));
    }

    #[test]
    fn everything_fits_in_the_view_box_even_with_long_money_labels() {
        let chart = chart(&[(3, 600), (120, 123_456_789)]);
        let widest = chart.money_ticks.last().unwrap().label.len() as f64 * CHAR_WIDTH;
        assert!(chart.plot.right() + GAP + widest <= WIDTH);
        assert!(chart.plot.x >= GAP + 3.0 * CHAR_WIDTH, "room for 100");
        for column in &chart.columns {
            assert!(
                column.bar.x >= chart.plot.x
                    && column.bar.x + column.bar.width <= chart.plot.right()
            );
            assert!(column.label_y - FONT >= 0.0);
        }
        assert!(chart.year_y <= HEIGHT);
    }

    #[test]
    fn the_description_gives_the_totals_and_the_busiest_month() {
        let chart = chart(&[(10, 20_000), (10, 20_000), (-2, -5_000)]);
        assert_eq!(
            chart.description,
            "Last 12 months: 18 sessions for $350.00. Most in Sep 2026: 10 sessions."
        );
        let refunds_only = monthly_chart(&months(&[(-2, -5_000)]), "usd", Locale::EnUs).unwrap();
        assert_eq!(
            refunds_only.description,
            "Last 12 months: -2 sessions for -$50.00."
        );
    }
}
