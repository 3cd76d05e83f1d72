//! The offer list and the new-offer form.
use super::fields::OfferFields;
use crate::server_fns::offers::{CreateOffer, list_offers, load_offer_form};
use crate::ui::components::{ListTable, Loaded, PageHead, Pager, action_error, cols, page_href, query_param};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn OffersPage() -> impl IntoView {
    let create = ServerAction::<CreateOffer>::new();
    let err = action_error(create);
    let after = query_param("after");
    let offers = Resource::new(after, list_offers);
    let form = Resource::new(|| (), |_| load_offer_form());
    view! {
        <PageHead title="Offers"/>
        <Loaded data=offers let:page>
            {
                let next = page.has_more.then(|| page.data.last().map(|o| page_href("/offers", &[], Some(&o.id)))).flatten();
                let first = after().is_some().then(|| page_href("/offers", &[], None));
                view! {
                    <ListTable rows=page.data headers=cols(&["Name", "Title", "Price", "Audience", "Status"]) empty="No offers yet." let:o>
                        <tr>
                            <td><a href=format!("/offers/{}", o.id)>{o.name.clone()}</a></td>
                            <td>{o.presentation.title.clone()}</td>
                            <td>{o.presentation.price.clone().unwrap_or_default()}</td>
                            <td>{o.audience.as_str()}</td>
                            <td><span class=format!("badge badge-{}", o.status.as_str())>{o.status.as_str()}</span></td>
                        </tr>
                    </ListTable>
                    <Pager first next/>
                }
            }
        </Loaded>
        {can_edit().then(|| view! {
            <section class="panel">
                <h2>"New offer"</h2>
                <Loaded data=form let:data>
                    <ActionForm action=create attr:class="form" attr:aria-label="New offer">
                        <OfferFields err=err data=data offer=None from=String::new() until=String::new()/>
                        <button type="submit" class="button-primary">"Create offer"</button>
                    </ActionForm>
                </Loaded>
            </section>
        })}
    }
}
