//! Offers → Redemption methods: list and create; a method's page with a Workflow tab (code
//! editor, save errors at their line, history with diffs and restore, test run) and a Manage tab.
use crate::model::{MethodDetail, ProductStatus, RedemptionMethod, SessionInfo, WorkflowVersion, line_diff};
use crate::server_fns::methods::*;
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, action_ok, short_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit())
}

#[component]
pub fn MethodsPage() -> impl IntoView {
    let create = ServerAction::<CreateMethod>::new();
    let err = action_error(create);
    let methods = Resource::new(|| (), |_| list_methods());
    view! {
        <Title text="Redemption methods · offerdeck"/>
        <h1>"Redemption methods"</h1>
        <p class="muted">"A redemption method's workflow decides what happens when an offer is redeemed, e.g. creating a Stripe Checkout session."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match methods.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No redemption methods yet."</p> }.into_any(),
                    Ok(list) => view! { <MethodTable methods=list/> }.into_any(),
                }
            })}
        </Suspense>
        {can_edit().then(|| view! {
            <section class="panel">
                <h2>"New redemption method"</h2>
                <ActionForm action=create attr:class="form" attr:aria-label="New redemption method">
                    <FormError error=err/>
                    <div class="field">
                        <label for="m-name">"Name"</label>
                        <input id="m-name" name="name" aria-required="true"/>
                        <FieldError error=err field="name"/>
                        <FieldError error=err field="slug"/>
                    </div>
                    <div class="field">
                        <label for="m-schema">"Schema"</label>
                        <select id="m-schema" name="schema">
                            <option value="stripe-checkout">"Stripe Checkout"</option>
                            <option value="custom">"Custom"</option>
                        </select>
                    </div>
                    <SettingsFields err=err/>
                    <button type="submit" class="button-primary">"Create method"</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn SettingsFields(err: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="m-success">"Success URL"</label>
            <input id="m-success" name="success_url" type="url" placeholder="https://shop.example/thanks"/>
            <FieldError error=err field="successUrl"/>
        </div>
        <div class="field">
            <label for="m-cancel">"Cancel URL"</label>
            <input id="m-cancel" name="cancel_url" type="url" placeholder="https://shop.example/pricing"/>
            <FieldError error=err field="cancelUrl"/>
        </div>
        <div class="field">
            <label for="m-signup">"Sign-up URL"</label>
            <input id="m-signup" name="signup_url" type="url" placeholder="https://shop.example/join"/>
            <FieldError error=err field="signupUrl"/>
        </div>
    }
}

#[component]
fn MethodTable(methods: Vec<RedemptionMethod>) -> impl IntoView {
    view! {
        <table class="table">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Schema"</th><th scope="col">"Workflow"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {methods.into_iter().map(|m| view! {
                    <tr>
                        <td><a href=format!("/offers/redemption-methods/{}", m.id)>{m.name.clone()}</a></td>
                        <td>{m.schema.label()}</td>
                        <td>{m.current_version.map(|v| format!("v{v}")).unwrap_or_default()}</td>
                        <td><span class=format!("badge badge-{}", m.status.as_str())>{m.status.as_str()}</span></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn MethodPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let manage = move || query.read().get("tab").as_deref() == Some("manage");
    let save = ServerAction::<SaveWorkflow>::new();
    let restore = ServerAction::<RestoreWorkflow>::new();
    let update = ServerAction::<UpdateMethod>::new();
    let archive = ServerAction::<SetMethodArchived>::new();
    let detail = Resource::new(
        move || (id(), save.version().get(), restore.version().get(), update.version().get(), archive.version().get()),
        |(id, ..)| get_method(id),
    );
    view! {
        <p class="crumbs"><a href="/offers/redemption-methods">"← Redemption methods"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <Title text="Redemption method · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let base = format!("/offers/redemption-methods/{}", d.method.id);
                        let is_manage = manage();
                        view! {
                            <Title text=format!("{} · offerdeck", d.method.name)/>
                            <h1>{d.method.name.clone()}" "<span class="badge">{d.method.schema.label()}</span></h1>
                            <nav class="tabs" aria-label="Method sections">
                                <a href=base.clone() aria-current=if is_manage { "false" } else { "page" }>"Workflow"</a>
                                <a href=format!("{base}?tab=manage") aria-current=if is_manage { "page" } else { "false" }>"Manage"</a>
                            </nav>
                            {if is_manage {
                                view! { <ManageTab method=d.method.clone() update archive/> }.into_any()
                            } else {
                                view! { <WorkflowTab detail=d save restore/> }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn WorkflowTab(detail: MethodDetail, save: ServerAction<SaveWorkflow>, restore: ServerAction<RestoreWorkflow>) -> impl IntoView {
    let editable = can_edit();
    let err = action_error(save);
    let saved = action_ok(save);
    let restore_err = action_error(restore);
    let test = ServerAction::<TestWorkflow>::new();
    let test_err = action_error(test);
    let source = detail.versions.first().map(|v| v.source.clone()).unwrap_or_else(|| detail.method.schema.default_workflow().to_string());
    let id = detail.method.id.clone();
    let (id1, id2) = (id.clone(), id.clone());
    let current = detail.method.current_version;
    let offers = detail.offers.clone();
    let last_test = detail.last_test.clone();
    let shown = Signal::derive(move || test.value().get().and_then(|r| r.ok()).or_else(|| last_test.clone()));
    view! {
        <section class="panel">
            <h2>"Workflow" {current.map(|v| format!(" (v{v})"))}</h2>
            <p class="muted">"TypeScript or JavaScript. The default export receives { offer, identity, integrations, settings }."</p>
            <ActionForm action=save attr:class="form form-wide" attr:aria-label="Workflow">
                <input type="hidden" name="id" value=id1/>
                <FormError error=err/>
                {move || err.get().filter(|e| !e.errors.is_empty()).map(|e| view! {
                    <ul class="code-errors" aria-label="Workflow errors">
                        {e.errors.iter().map(|c| view! {
                            <li data-error-line=c.line.to_string() data-error-column=c.column.to_string() data-error-message=c.message.clone()>
                                {format!("Line {}, column {}: {}", c.line, c.column, c.message)}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {move || saved.get().then(|| view! { <p class="form-ok" role="status">{move || format!("Saved as v{}.", save.value().get().and_then(|r| r.ok()).unwrap_or_default())}</p> })}
                <label for="workflow-code">"Workflow code"</label>
                <textarea id="workflow-code" name="code" class="code-editor" data-language="typescript" rows="28" spellcheck="false" readonly=!editable inner_html=crate::model::escape_html(&source)></textarea>
                {editable.then(|| view! { <button type="submit" class="button-primary">"Save workflow"</button> })}
            </ActionForm>
        </section>
        {editable.then(|| view! {
            <section class="panel">
                <h2>"Test run"</h2>
                <p class="muted">"Runs the saved workflow against an offer with this environment's Stripe integration. Nothing is recorded as a redemption."</p>
                <ActionForm action=test attr:class="form" attr:aria-label="Test run">
                    <input type="hidden" name="id" value=id2.clone()/>
                    <FormError error=test_err/>
                    <div class="field">
                        <label for="t-offer">"Offer"</label>
                        <select id="t-offer" name="offer_id">
                            {offers.iter().map(|(oid, name)| view! { <option value=oid.clone()>{name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError error=test_err field="offerId"/>
                    </div>
                    <div class="field">
                        <label for="t-identity">"Identity"</label>
                        <select id="t-identity" name="identity">
                            <option value="user">"A signed-in user"</option>
                            <option value="anonymous">"Anonymous"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="t-identifier">"User id"</label>
                        <input id="t-identifier" name="identifier" value="buyer@example.com"/>
                    </div>
                    <button type="submit" disabled=move || test.pending().get()>"Run test"</button>
                </ActionForm>
                {move || shown.get().map(|r| view! {
                    <div class=if r.ok { "panel panel-secret" } else { "panel panel-error" } role="status" aria-label="Test result">
                        <h3>{if r.ok { "Result" } else { "Failed" }}{r.error_line.map(|l| format!(" at line {l}"))}</h3>
                        <pre class="code-output">{r.output.clone()}</pre>
                        <p class="muted">{format!("{:.1} ms", r.duration_ms)}</p>
                        <h3>"Logs"</h3>
                        {if r.logs.is_empty() { view! { <p class="empty">"No console output."</p> }.into_any() } else {
                            view! { <pre class="code-output">{r.logs.join("\n")}</pre> }.into_any()
                        }}
                    </div>
                })}
            </section>
        })}
        <section class="panel">
            <h2>"History"</h2>
            <FormError error=restore_err/>
            <VersionHistory versions=detail.versions.clone() method_id=id editable restore current/>
        </section>
    }
}

#[component]
fn VersionHistory(
    versions: Vec<WorkflowVersion>,
    method_id: String,
    editable: bool,
    restore: ServerAction<RestoreWorkflow>,
    current: Option<i64>,
) -> impl IntoView {
    let items: Vec<_> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let previous = versions.get(i + 1).map(|p| p.source.clone()).unwrap_or_default();
            let diff = line_diff(&previous, &v.source);
            let changed = diff.iter().filter(|(k, _)| *k != ' ').count();
            let mid = method_id.clone();
            let is_current = current == Some(v.version);
            let version = v.version;
            view! {
                <li>
                    <details>
                        <summary>{format!("v{} — {} — {} — {} changed lines{}", v.version, short_time(&v.created_at), v.created_by, changed, if is_current { " (running)" } else { "" })}</summary>
                        <pre class="diff">
                            {diff.into_iter().filter(|(k, _)| *k != ' ').map(|(k, l)| view! {
                                <span class=if k == '+' { "diff-add" } else { "diff-del" }>{format!("{k} {l}\n")}</span>
                            }).collect_view()}
                        </pre>
                    </details>
                    {(editable && !is_current).then(|| view! {
                        <ActionForm action=restore attr:class="inline-form">
                            <input type="hidden" name="id" value=mid/>
                            <input type="hidden" name="version" value=version.to_string()/>
                            <button type="submit" class="button-small">{format!("Restore v{version}")}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect();
    view! { <ol class="versions">{items}</ol> }
}

#[component]
fn ManageTab(method: RedemptionMethod, update: ServerAction<UpdateMethod>, archive: ServerAction<SetMethodArchived>) -> impl IntoView {
    let editable = can_edit();
    let err = action_error(update);
    let saved = action_ok(update);
    let archived = method.status == ProductStatus::Archived;
    let s = method.settings.clone();
    let (id1, id2) = (method.id.clone(), method.id.clone());
    // A Stripe Checkout method may be created with a name and a schema only; say what it still needs.
    let missing: Vec<&'static str> = if method.schema == crate::model::MethodSchema::StripeCheckout {
        s.missing_checkout_urls()
            .into_iter()
            .map(|f| match f {
                "successUrl" => "success URL",
                "cancelUrl" => "cancel URL",
                _ => "sign-up URL",
            })
            .collect()
    } else {
        Vec::new()
    };
    let notice = (!missing.is_empty()).then(|| {
        view! {
            <p class="notice" role="note">
                {format!("Redemptions of this method answer 409 with a clear message until you set its {}.", missing.join(", "))}
            </p>
        }
    });
    view! {
        <section class="panel">
            <h2>"Manage"</h2>
            {notice}
            <dl class="facts">
                <dt>"ID"</dt><dd><code>{method.id.clone()}</code></dd>
                <dt>"Redemption schema"</dt><dd><code>{method.redemption_schema.clone()}</code></dd>
            </dl>
            <ActionForm action=update attr:class="form" attr:aria-label="Manage method">
                <input type="hidden" name="id" value=id1/>
                <FormError error=err/>
                {move || saved.get().then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
                <div class="field">
                    <label for="mm-name">"Name"</label>
                    <input id="mm-name" name="name" value=method.name.clone()/>
                    <FieldError error=err field="name"/>
                </div>
                <div class="field">
                    <label for="mm-slug">"Slug"</label>
                    <input id="mm-slug" name="slug" value=method.slug.clone()/>
                    <FieldError error=err field="slug"/>
                </div>
                <div class="field">
                    <label for="mm-success">"Success URL"</label>
                    <input id="mm-success" name="success_url" type="url" value=s.success_url/>
                    <FieldError error=err field="successUrl"/>
                </div>
                <div class="field">
                    <label for="mm-cancel">"Cancel URL"</label>
                    <input id="mm-cancel" name="cancel_url" type="url" value=s.cancel_url/>
                    <FieldError error=err field="cancelUrl"/>
                </div>
                <div class="field">
                    <label for="mm-signup">"Sign-up URL"</label>
                    <input id="mm-signup" name="signup_url" type="url" value=s.signup_url/>
                    <FieldError error=err field="signupUrl"/>
                </div>
                {editable.then(|| view! { <button type="submit" class="button-primary">"Save settings"</button> })}
            </ActionForm>
            {editable.then(|| view! {
                <ActionForm action=archive attr:class="inline-form">
                    <input type="hidden" name="id" value=id2/>
                    <input type="hidden" name="archived" value=if archived { "false" } else { "true" }/>
                    <button type="submit" class=if archived { "button" } else { "button-danger" }>{if archived { "Restore method" } else { "Archive method" }}</button>
                </ActionForm>
            })}
        </section>
    }
}
