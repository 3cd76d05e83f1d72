//! Campaigns for marketers: the list of campaign tags (`list.rs`) and one campaign's page with
//! its funnel, redemptions over time, revenue, top codes, batches and a side-by-side comparison
//! (`detail.rs`). Everyone in the tenant reads them; merchants also make batches of codes.
mod detail;
mod list;

pub use detail::CampaignPage;
pub use list::CampaignsPage;

use crate::model::{SeriesPoint, SeriesReport};
use crate::ui::components::{Line, SeriesChart};
use leptos::prelude::*;

/// The series' lines as the campaign chart draws them.
pub fn campaign_lines(series: &[SeriesPoint]) -> Vec<Line> {
    vec![
        Line { label: "Offers presented", class: "c1", values: series.iter().map(|p| p.presented).collect() },
        Line { label: "Offers redeemed", class: "c2", values: series.iter().map(|p| p.redeemed).collect() },
        Line { label: "Checkouts completed", class: "c3", values: series.iter().map(|p| p.checkouts + p.signups).collect() },
        Line { label: "Coupons redeemed", class: "c4", values: series.iter().map(|p| p.coupons).collect() },
    ]
}

/// The small chart of an offer's page or the Coupons list: 30 days, the lines that apply.
#[component]
pub fn SmallChart(id: &'static str, title: String, report: SeriesReport, csv_href: String, coupons: bool) -> impl IntoView {
    let labels: Vec<String> = report.series.iter().map(|p| p.start.clone()).collect();
    let lines = if coupons {
        vec![Line { label: "Coupons redeemed", class: "c4", values: report.series.iter().map(|p| p.coupons).collect() }]
    } else {
        vec![
            Line { label: "Presented", class: "c1", values: report.series.iter().map(|p| p.presented).collect() },
            Line { label: "Redeemed", class: "c2", values: report.series.iter().map(|p| p.redeemed).collect() },
        ]
    };
    view! { <SeriesChart id title labels lines csv_href compact=true/> }
}
