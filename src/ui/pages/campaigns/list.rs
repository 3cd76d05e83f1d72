//! The campaign list: every campaign tag on coupons and offers, with links to its page.
use crate::server_fns::campaigns::list_campaigns;
use crate::ui::components::{Col, ListTable, Loaded, PageHead, urlencode};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_campaigns());
    view! {
        <PageHead title="Campaigns"
            intro="A campaign is a tag on coupons and offers. Its page shows the offers it presented, what they led to, the checkouts completed and the coupons redeemed, over any period."/>
        {can_edit().then(|| view! { <p><a class="button button-primary" href="/coupons/batches/new">"Generate or import codes"</a></p> })}
        <Loaded data let:campaigns>
            <ListTable rows=campaigns headers=vec![Col::from("Campaign"), Col::num("Coupons"), Col::num("Offers")] empty="No campaigns yet: tag coupons or offers with a campaign." label="Campaigns" let:c>
                <tr>
                    <td><a href=format!("/campaigns/{}", urlencode(&c.campaign))>{c.campaign.clone()}</a></td>
                    <td class="num">{c.coupons}</td>
                    <td class="num">{c.offers}</td>
                </tr>
            </ListTable>
        </Loaded>
    }
}
