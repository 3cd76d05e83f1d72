//! A form that is one button: hidden inputs naming what it acts on, posted to a server action
//! (a `fetch` once hydrated, a plain form post without JavaScript). Deletes, archive/restore,
//! revoke, resend, reorder and switches are all this form.
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::{Json, PostUrl};
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::{Http, ServerFn};
use leptos::web_sys::FormData;
use serde::de::DeserializeOwned;

/// A server function an `<ActionForm>` can post to: the default encodings (a form-encoded
/// request, a JSON answer) and `AppError` as its error. Every dashboard action is one.
pub trait FormAction:
    DeserializeOwned
    + ServerFn<
        Protocol = Http<PostUrl, Json>,
        Error = AppError,
        Output: Send + Sync + 'static,
        Client: Client<AppError, Request: ClientReq<AppError, FormData: From<FormData>>>,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> FormAction for S where
    S: DeserializeOwned
        + ServerFn<
            Protocol = Http<PostUrl, Json>,
            Error = AppError,
            Output: Send + Sync + 'static,
            Client: Client<AppError, Request: ClientReq<AppError, FormData: From<FormData>>>,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// `<form class="inline-form">` with `hidden` as `name=value` inputs and a submit button.
#[component]
pub fn ButtonForm<S: FormAction>(
    action: ServerAction<S>,
    #[prop(optional)] hidden: Vec<(&'static str, String)>,
    #[prop(into)] label: String,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional, into)] aria_label: Option<String>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=class aria-label=aria_label disabled=disabled>{label}</button>
        </ActionForm>
    }
}

/// Archive or restore `noun` `id`: posts `id` and the new `archived` value; "Archive" is the
/// dangerous-looking one.
#[component]
pub fn ArchiveButton<S: FormAction>(action: ServerAction<S>, id: String, archived: bool, noun: &'static str) -> impl IntoView {
    let hidden = vec![("id", id), ("archived", (!archived).to_string())];
    let (verb, class) = if archived { ("Restore", "button") } else { ("Archive", "button-danger") };
    view! { <ButtonForm action hidden label=format!("{verb} {noun}") class/> }
}
