//! Settings → API keys (`server_fns::api_keys`) of the current tenant and environment: create
//! (the key is shown once, with a copy button), list by last four characters, revoke.
use crate::model::ApiKeyView;
use crate::server_fns::api_keys::{CreateApiKey, RevokeApiKey, RotateRedirectSecret, SaveAllowedOrigins, allowed_origins, api_keys_page};
use crate::ui::components::{ButtonForm, Field, FormError, FormPanel, ListTable, Loaded, PageHead, SelectField, action_error, choices, cols, short_time};
use leptos::prelude::*;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let rotate = ServerAction::<RotateRedirectSecret>::new();
    let err = action_error(create);
    let page = Resource::new(move || (create.version().get(), revoke.version().get(), rotate.version().get()), |_| api_keys_page());
    view! {
        <PageHead title="API keys"
            intro="Secret keys (sk_…) can do everything in this environment; publishable keys (pk_…) only what a browser may do. Keys are stored as a hash: a key is shown once, when it is created."/>
        <FormError error=action_error(revoke)/>
        <Loaded data=page let:p>
            {p.new_keys.into_iter().enumerate().map(|(i, k)| view! { <NewKey key=k index=i/> }).collect_view()}
            {p.new_redirect_secrets.into_iter().enumerate().map(|(i, k)| view! { <NewKey key=k index=100 + i heading="Your new redirect signing secret" label="New redirect signing secret"/> }).collect_view()}
            <ListTable rows=p.keys headers=cols(&["Name", "Kind", "Key", "Created", "Status", ""]) empty="No keys in this environment yet." let:k>
                <KeyRow k revoke/>
            </ListTable>
            <RedirectSecretPanel set=p.redirect_secret_set rotate/>
        </Loaded>
        <AllowedOriginsPanel/>
        <FormPanel action=create heading="Create a key" submit="Create key">
            <SelectField id="key-kind" label="Kind" name="kind" error=err field="kind"
                choices=choices(&[("secret", "Secret (server side)"), ("publishable", "Publishable (browser)")])/>
            <Field id="key-name" label="Name" error=err field="name">
                <input id="key-name" name="name" placeholder="e.g. backend production"/>
            </Field>
        </FormPanel>
    }
}

/// The environment's redirect signing secret: whether there is one, and create or rotate it.
#[component]
fn RedirectSecretPanel(set: bool, rotate: ServerAction<RotateRedirectSecret>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Redirect signing secret"</h2>
            <p class="muted">{if set {
                "Checkout redirects to your success URL are signed with this environment's secret. Rotating it shows a new one once; the old one keeps verifying for 24 hours."
            } else {
                "Create a secret to sign checkout redirects to your success URL (the signature parameter); it is shown once."
            }}</p>
            <FormError error=action_error(rotate)/>
            <ButtonForm action=rotate label=if set { "Rotate secret" } else { "Create secret" }/>
        </section>
    }
}

/// The origins whose pages may call the publishable-key endpoints (CORS), one per line.
#[component]
fn AllowedOriginsPanel() -> impl IntoView {
    let save = ServerAction::<SaveAllowedOrigins>::new();
    let err = action_error(save);
    let current = Resource::new(move || save.version().get(), |_| allowed_origins());
    view! {
        <section class="panel" aria-labelledby="origins">
            <h2 id="origins">"Allowed origins"</h2>
            <p class="muted">"Web pages on these origins may call surface decisions, coupon validation and the checkout discount endpoints with a publishable key. Exact origins (https://shop.example or http://localhost:8080), one per line; no wildcards."</p>
            <Loaded data=current let:list>
                <ActionForm action=save attr:class="form" attr:aria-label="Allowed origins">
                    <FormError error=err/>
                    <Field id="origins-list" label="Origins" error=err field="allowedOrigins">
                        <textarea id="origins-list" name="origins" rows="4" class="mono">{list.join("\n")}</textarea>
                    </Field>
                    <button type="submit" class="button-primary">"Save origins"</button>
                </ActionForm>
            </Loaded>
        </section>
    }
}

/// A key or secret just created: shown once, with a copy button (once hydrated).
#[component]
fn NewKey(
    key: String,
    index: usize,
    #[prop(default = "Your new key")] heading: &'static str,
    #[prop(default = "New API key")] label: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let to_copy = key.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&to_copy);
                copied.set(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &to_copy;
    };
    view! {
        <div class="panel panel-secret" role="status">
            <h2>{heading}</h2>
            <p>"Copy it now: it will not be shown again."</p>
            <div class="copy-row">
                <label class="visually-hidden" for=format!("new-key-{index}")>{label}</label>
                <input id=format!("new-key-{index}") class="mono" readonly value=key size="44"/>
                <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
            </div>
        </div>
    }
}

#[component]
fn KeyRow(k: ApiKeyView, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let prefix = format!("{}_{}_…{}", k.kind.prefix(), k.environment.key_infix(), k.last4);
    view! {
        <tr>
            <td>{k.name.clone()}</td>
            <td>{k.kind.as_str()}</td>
            <td><code>{prefix}</code></td>
            <td>{short_time(&k.created_at)}</td>
            <td>{match &k.revoked_at { Some(t) => format!("revoked {}", short_time(t)), None => "active".into() }}</td>
            <td>
                {k.revoked_at.is_none().then(|| view! {
                    <ButtonForm action=revoke hidden=vec![("id", k.id.clone())] label="Revoke" class="button-danger button-small" aria_label=format!("Revoke {}", k.name)/>
                })}
            </td>
        </tr>
    }
}
