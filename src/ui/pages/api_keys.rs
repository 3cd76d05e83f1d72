//! Settings → API keys of the current tenant and environment: create (the key is shown once,
//! with a copy button), list by last four characters, revoke.
use crate::model::ApiKeyView;
use crate::server_fns::api_keys::{CreateApiKey, RevokeApiKey, api_keys_page};
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, short_time};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let err = action_error(create);
    let revoke_err = action_error(revoke);
    let page = Resource::new(move || (create.version().get(), revoke.version().get()), |_| api_keys_page());
    view! {
        <Title text="API keys · offerdeck"/>
        <h1>"API keys"</h1>
        <p class="muted">"Secret keys (sk_…) can do everything in this environment; publishable keys (pk_…) only what a browser may do. Keys are stored as a hash: a key is shown once, when it is created."</p>
        <FormError error=revoke_err/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(p) => view! {
                        {p.new_keys.into_iter().enumerate().map(|(i, k)| view! { <NewKey key=k index=i/> }).collect_view()}
                        <KeyTable keys=p.keys revoke/>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"Create a key"</h2>
            <ActionForm action=create attr:class="form" attr:aria-label="Create a key">
                <FormError error=err/>
                <div class="field">
                    <label for="key-kind">"Kind"</label>
                    <select id="key-kind" name="kind">
                        <option value="secret">"Secret (server side)"</option>
                        <option value="publishable">"Publishable (browser)"</option>
                    </select>
                    <FieldError error=err field="kind"/>
                </div>
                <div class="field">
                    <label for="key-name">"Name"</label>
                    <input id="key-name" name="name" placeholder="e.g. backend production"/>
                    <FieldError error=err field="name"/>
                </div>
                <button type="submit" class="button-primary">"Create key"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn NewKey(key: String, index: usize) -> impl IntoView {
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
            <h2>"Your new key"</h2>
            <p>"Copy it now: it will not be shown again."</p>
            <div class="copy-row">
                <label class="visually-hidden" for=format!("new-key-{index}")>"New API key"</label>
                <input id=format!("new-key-{index}") class="mono" readonly value=key size="44"/>
                <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
            </div>
        </div>
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyView>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="empty">"No keys in this environment yet."</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Key"</th><th scope="col">"Created"</th><th scope="col">"Status"</th><th></th></tr></thead>
            <tbody>
                {keys.into_iter().map(|k| {
                    let prefix = format!("{}_{}_…{}", k.kind.prefix(), k.environment.key_infix(), k.last4);
                    let revoked = k.revoked_at.clone();
                    view! {
                        <tr>
                            <td>{k.name.clone()}</td>
                            <td>{k.kind.as_str()}</td>
                            <td><code>{prefix}</code></td>
                            <td>{short_time(&k.created_at)}</td>
                            <td>{match &revoked { Some(t) => format!("revoked {}", short_time(t)), None => "active".into() }}</td>
                            <td>
                                {revoked.is_none().then(|| view! {
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <input type="hidden" name="id" value=k.id.clone()/>
                                        <button type="submit" class="button-danger button-small" aria-label=format!("Revoke {}", k.name)>"Revoke"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}
