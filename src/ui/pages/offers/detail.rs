//! An offer's page: its performance, the object a workflow receives, edit and archive/restore.
use super::fields::OfferFields;
use super::stats::{OfferStats, OfferStatsPanel};
use crate::model::{OfferDetail, ProductStatus};
use crate::server_fns::offers::{SetOfferArchived, UpdateOffer, get_offer};
use crate::ui::components::{ArchiveButton, DetailPage, Saved, action_error, action_ok, path_param, query_param};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OfferPage() -> impl IntoView {
    let id = path_param("id");
    let update = ServerAction::<UpdateOffer>::new();
    let archive = ServerAction::<SetOfferArchived>::new();
    let detail = Resource::new(move || (id(), update.version().get(), archive.version().get()), |(id, _, _)| get_offer(id));
    // Made here, not inside the panel: see `prices::PriceData` (resources first created inside
    // another resource's Suspend hydrate with different markup than the server rendered).
    let days = query_param("days");
    let days = move || days().and_then(|d| d.parse::<i64>().ok()).unwrap_or(30);
    let stats = Resource::new(move || (id(), days()), |(id, d)| crate::server_fns::offers::load_offer_stats(id, d));
    let series = Resource::new(id, crate::server_fns::campaigns::offer_series);
    provide_context(OfferStats { days: Signal::derive(days), stats, series });
    let create_rate = ServerAction::<crate::server_fns::offers::CreateOfferRate>::new();
    let rates = Resource::new(move || (id(), create_rate.version().get()), |(id, _)| crate::server_fns::offers::load_offer_rates(id));
    provide_context(super::rates::OfferRates { rates, create: create_rate });
    view! {
        <DetailPage back="/offers" back_label="Offers" data=detail error_title="Offer" let:d>
            <OfferView detail=d update archive/>
        </DetailPage>
    }
}

#[component]
fn OfferView(detail: OfferDetail, update: ServerAction<UpdateOffer>, archive: ServerAction<SetOfferArchived>) -> impl IntoView {
    let err = action_error(update);
    let o = detail.offer.clone();
    let archived = o.status == ProductStatus::Archived;
    let (form, from, until) = (detail.form.clone(), detail.valid_from_local.clone(), detail.valid_until_local.clone());
    let (id, edited) = (o.id.clone(), o.clone());
    view! {
        <Title text=format!("{} · offerdeck", o.name)/>
        <h1>{o.name.clone()}" "<span class=format!("badge badge-{}", o.status.as_str())>{o.status.as_str()}</span></h1>
        <OfferStatsPanel id=o.id.clone()/>
        <super::rates::RatesPanel offer_id=o.id.clone() prices=detail.form.prices.iter().filter(|p| o.price_ids.contains(&p.id)).cloned().collect()/>
        <section class="panel">
            <h2>"What a workflow receives"</h2>
            <p class="muted">"The offer object handed to the redemption method's workflow (the token is minted when a surface presents the offer)."</p>
            <pre class="code-output" aria-label="Workflow offer object">{detail.workflow_object.clone()}</pre>
        </section>
        {can_edit().then(|| view! {
            <section class="panel">
                <h2>"Edit"</h2>
                <ActionForm action=update attr:class="form" attr:aria-label="Edit offer">
                    <input type="hidden" name="id" value=id.clone()/>
                    <Saved when=action_ok(update)/>
                    <OfferFields err=err data=form offer=Some(edited) from until/>
                    <button type="submit" class="button-primary">"Save offer"</button>
                </ActionForm>
                <ArchiveButton action=archive id=o.id.clone() archived noun="offer"/>
            </section>
        })}
    }
}
