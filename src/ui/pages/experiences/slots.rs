//! An experience's offers in one slot, in priority order: move up, move down, remove, and add
//! one of the environment's other offers. Every button is a plain form post.
use crate::server_fns::experiences::ArrangeOffer;
use crate::ui::components::{ButtonForm, FormError, action_error};
use leptos::prelude::*;

#[component]
pub fn SlotOffers(
    id: String,
    slot_key: String,
    list: Vec<String>,
    offers: Vec<(String, String, serde_json::Value)>,
    arrange: ServerAction<ArrangeOffer>,
    editable: bool,
) -> impl IntoView {
    let slot = slot_key;
    let name_of = |oid: &str| offers.iter().find(|(id, ..)| id == oid).map(|(_, n, _)| n.clone()).unwrap_or_else(|| oid.to_string());
    let count = list.len();
    let button = |oid: &str, op: &'static str, label: String, disabled: bool| {
        let hidden = vec![("id", id.clone()), ("slot", slot.clone()), ("offer_id", oid.to_string()), ("op", op.to_string())];
        let text = match op {
            "up" => "↑ Up",
            "down" => "↓ Down",
            _ => "Remove",
        };
        view! { <ButtonForm action=arrange hidden label=text class="button-small" aria_label=label disabled/> }
    };
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, oid)| {
            let name = name_of(oid);
            view! {
                <li>
                    <span class="priority-name">{name.clone()}</span>
                    {editable.then(|| view! {
                        <span class="priority-actions">
                            {button(oid, "up", format!("Move {name} up in {slot}"), i == 0)}
                            {button(oid, "down", format!("Move {name} down in {slot}"), i + 1 == count)}
                            {button(oid, "remove", format!("Remove {name} from {slot}"), false)}
                        </span>
                    })}
                </li>
            }
        })
        .collect_view();
    let choices: Vec<(String, String)> = offers.iter().filter(|(oid, ..)| !list.contains(oid)).map(|(oid, n, _)| (oid.clone(), n.clone())).collect();
    view! {
        <div class="slot-offers">
            <h3>{format!("Slot “{slot}”")}</h3>
            {if list.is_empty() {
                view! { <p class="empty">"No offers in this slot."</p> }.into_any()
            } else {
                view! { <ol class="priority-list" aria-label=format!("Offers in {slot}")>{rows}</ol> }.into_any()
            }}
            {(editable && !choices.is_empty()).then(|| view! { <AddOffer id=id.clone() slot_key=slot.clone() choices arrange/> })}
            <FormError error=action_error(arrange)/>
        </div>
    }
}

#[component]
fn AddOffer(id: String, slot_key: String, choices: Vec<(String, String)>, arrange: ServerAction<ArrangeOffer>) -> impl IntoView {
    let slot = slot_key;
    let select_id = format!("add-{slot}");
    view! {
        <ActionForm action=arrange attr:class="inline-form">
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="slot" value=slot.clone()/>
            <input type="hidden" name="op" value="add"/>
            <label for=select_id.clone()>{format!("Add an offer to {slot}")}</label>
            <select id=select_id name="offer_id">
                {choices.into_iter().map(|(oid, n)| view! { <option value=oid>{n}</option> }).collect_view()}
            </select>
            <button type="submit" class="button-small">"Add offer"</button>
        </ActionForm>
    }
}
