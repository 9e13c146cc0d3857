//! Sessions bought and money spent per month over the last twelve months, drawn as SVG by the
//! app. Sessions are labelled bars, money a line with diamond markers: shapes and numbers tell
//! them apart, not colour. The figures are also a table, for screen readers and exact amounts.

mod geometry;

use leptos::prelude::*;

use self::geometry::{FONT, HEIGHT, WIDTH, diamond, monthly_chart};
use crate::api_types::MonthlySummary;
use crate::components::locale::use_locale;

#[component]
pub fn MonthlyChart(summary: MonthlySummary) -> impl IntoView {
    let Some(chart) = monthly_chart(&summary.months, &summary.currency, use_locale()) else {
        return view! {
            <p class="empty" data-testid="chart-empty">"Nothing bought in the last 12 months."</p>
        }
        .into_any();
    };
    let plot = chart.plot;
    view! {
        <figure class="monthly-chart" data-testid="monthly-chart">
            <svg
                class="chart"
                role="img"
                aria-labelledby="monthly-chart-title monthly-chart-desc"
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                font-size=FONT
            >
                <title id="monthly-chart-title">"Sessions and spending per month"</title>
                <desc id="monthly-chart-desc">{chart.description}</desc>
                {chart.sessions_ticks.into_iter().map(|tick| view! {
                    <line class="chart-grid" x1=plot.x x2=plot.right() y1=tick.y y2=tick.y/>
                    <text x=tick.x y=tick.y dy="0.35em" text-anchor="end">{tick.label}</text>
                }).collect_view()}
                {chart.money_ticks.into_iter().map(|tick| view! {
                    <text x=tick.x y=tick.y dy="0.35em">{tick.label}</text>
                }).collect_view()}
                {chart.columns.iter().map(|column| view! {
                    <rect
                        class="chart-bar"
                        x=column.bar.x
                        y=column.bar.y
                        width=column.bar.width
                        height=column.bar.height
                    />
                    {column.label.clone().map(|label| view! {
                        <text class="chart-value" x=column.center y=column.label_y text-anchor="middle">
                            {label}
                        </text>
                    })}
                    <text x=column.center y=chart.month_y text-anchor="middle">{column.initial.clone()}</text>
                    {column.year.clone().map(|year| view! {
                        <text x=column.center y=chart.year_y text-anchor="middle">{year}</text>
                    })}
                }).collect_view()}
                <polyline class="chart-line" points=chart.line/>
                {chart.columns.iter().map(|column| view! {
                    <path class="chart-marker" d=column.marker.clone()/>
                }).collect_view()}
            </svg>
            <figcaption class="chart-legend">
                <span>
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <rect class="chart-bar" x="3" y="3" width="10" height="13"/>
                    </svg>
                    "Sessions bought (bars, scale on the left)"
                </span>
                <span>
                    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                        <polyline class="chart-line" points="0,8 16,8"/>
                        <path class="chart-marker" d=diamond((8.0, 8.0))/>
                    </svg>
                    "Money spent (line with diamonds, scale on the right)"
                </span>
            </figcaption>
            <details>
                <summary>"Figures by month"</summary>
                <table class="chart-figures" data-testid="chart-figures">
                    <caption class="visually-hidden">"Sessions and money per month, oldest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Month"</th>
                            <th scope="col" class="number">"Sessions"</th>
                            <th scope="col" class="number">"Amount"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {chart.columns.into_iter().map(|column| view! {
                            <tr>
                                <th scope="row">{column.title}</th>
                                <td class="number">{column.sessions}</td>
                                <td class="number">{column.amount}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
