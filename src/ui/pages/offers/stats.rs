//! An offer's performance panel: impressions, redemptions and conversion over a period chosen
//! with a plain GET form. The page makes the resource and provides it (`OfferStats`).
use crate::error::AppError;
use crate::ui::components::Loaded;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct OfferStats {
    pub days: Signal<i64>,
    pub stats: Resource<Result<crate::model::OfferStats, AppError>>,
    /// The last 30 days, for the chart.
    pub series: Resource<Result<crate::model::SeriesReport, AppError>>,
}

#[component]
pub fn OfferStatsPanel(id: String) -> impl IntoView {
    let OfferStats { days, stats, series } = expect_context::<OfferStats>();
    let days = move || days.get();
    let csv = format!("/offers/{id}/series.csv");
    view! {
        <section class="panel" aria-label="Performance">
            <h2>"Performance"</h2>
            <form method="get" action=format!("/offers/{id}") class="inline-form">
                <label for="stats-days">"Period"</label>
                <select id="stats-days" name="days">
                    {[(1, "Last 24 hours"), (7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")].into_iter().map(|(d, l)| view! {
                        <option value=d.to_string() selected=move || days() == d>{l}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button-small">"Show"</button>
            </form>
            <Loaded data=stats let:s>
                <dl class="facts stats">
                    <dt>"Impressions"</dt><dd data-stat="impressions">{s.impressions}</dd>
                    <dt>"Redemptions"</dt><dd data-stat="redemptions">{s.redemptions}</dd>
                    <dt>"Conversion"</dt><dd data-stat="conversion">{format!("{:.1} %", s.conversion * 100.0)}</dd>
                    <dt>"Redeeming identities"</dt><dd data-stat="redeemers">{s.redeemers}</dd>
                </dl>
            </Loaded>
            <Loaded data=series let:r>
                <crate::ui::pages::campaigns::SmallChart id="offer-series" title="Presented and redeemed per day, last 30 days".to_string() report=r csv_href=csv.clone() coupons=false/>
            </Loaded>
        </section>
    }
}
