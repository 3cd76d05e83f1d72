//! A method's Workflow tab: the code editor (save errors listed at their line), a test run
//! against an offer, and the version history with diffs and restore.
use crate::model::{MethodDetail, WorkflowVersion, line_diff};
use crate::server_fns::methods::{RestoreWorkflow, SaveWorkflow, TestWorkflow};
use crate::ui::components::{ButtonForm, Field, FormError, SelectField, action_error, action_ok, choices, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn WorkflowTab(detail: MethodDetail, save: ServerAction<SaveWorkflow>, restore: ServerAction<RestoreWorkflow>) -> impl IntoView {
    let editable = can_edit();
    let source = detail.versions.first().map(|v| v.source.clone()).unwrap_or_else(|| detail.method.schema.default_workflow().to_string());
    let id = detail.method.id.clone();
    let current = detail.method.current_version;
    view! {
        <WorkflowEditor id=id.clone() source current editable save/>
        {editable.then(|| view! { <TestRun id=id.clone() offers=detail.offers.clone() last_test=detail.last_test.clone()/> })}
        <section class="panel">
            <h2>"History"</h2>
            <FormError error=action_error(restore)/>
            <VersionHistory versions=detail.versions.clone() method_id=id editable restore current/>
        </section>
    }
}

#[component]
fn WorkflowEditor(id: String, source: String, current: Option<i64>, editable: bool, save: ServerAction<SaveWorkflow>) -> impl IntoView {
    let err = action_error(save);
    let saved = action_ok(save);
    view! {
        <section class="panel">
            <h2>"Workflow" {current.map(|v| format!(" (v{v})"))}</h2>
            <p class="muted">"TypeScript or JavaScript. The default export receives { offer, identity, integrations, settings }."</p>
            <ActionForm action=save attr:class="form form-wide" attr:aria-label="Workflow">
                <input type="hidden" name="id" value=id/>
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
    }
}

/// Runs the saved workflow; shows this run's result, or the last one recorded.
#[component]
fn TestRun(id: String, offers: Vec<(String, String)>, last_test: Option<crate::model::TestRunView>) -> impl IntoView {
    let test = ServerAction::<TestWorkflow>::new();
    let test_err = action_error(test);
    let shown = Signal::derive(move || test.value().get().and_then(|r| r.ok()).or_else(|| last_test.clone()));
    view! {
        <section class="panel">
            <h2>"Test run"</h2>
            <p class="muted">"Runs the saved workflow against an offer with this environment's Stripe integration. Nothing is recorded as a redemption."</p>
            <ActionForm action=test attr:class="form" attr:aria-label="Test run">
                <input type="hidden" name="id" value=id/>
                <FormError error=test_err/>
                <Field id="t-offer" label="Offer" error=test_err field="offerId">
                    <select id="t-offer" name="offer_id">
                        {offers.iter().map(|(oid, name)| view! { <option value=oid.clone()>{name.clone()}</option> }).collect_view()}
                    </select>
                </Field>
                <SelectField id="t-identity" label="Identity" name="identity" choices=choices(&[("user", "A signed-in user"), ("anonymous", "Anonymous")])/>
                <Field id="t-identifier" label="User id">
                    <input id="t-identifier" name="identifier" value="buyer@example.com"/>
                </Field>
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
            let is_current = current == Some(v.version);
            let version = v.version;
            let hidden = vec![("id", method_id.clone()), ("version", version.to_string())];
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
                        <ButtonForm action=restore hidden label=format!("Restore v{version}") class="button-small"/>
                    })}
                </li>
            }
        })
        .collect();
    view! { <ol class="versions">{items}</ol> }
}
