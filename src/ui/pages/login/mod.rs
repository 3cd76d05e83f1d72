//! /login (`server_fns::auth`): email and password; until a platform admin exists, says how to
//! create one.
use crate::server_fns::auth::{Login, admin_exists};
use crate::ui::components::{Field, FormError, action_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let err = action_error(login);
    let admin = Resource::new(|| (), |_| admin_exists());
    view! {
        <Title text="Sign in · offerdeck"/>
        <main class="auth-page">
            <section class="auth-card">
                <p class="brand">"offerdeck"</p>
                <h1>"Sign in"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        (admin.await == Ok(false)).then(|| view! {
                            <div class="notice" role="note">
                                <p>"No administrator exists yet. On the server, create the first one with:"</p>
                                <pre><code>"offerdeck admin create --email you@example.com"</code></pre>
                                <p>"then sign in here with that email and the password you typed."</p>
                            </div>
                        })
                    })}
                </Suspense>
                <ActionForm action=login attr:class="form" attr:aria-label="Sign in">
                    <FormError error=err/>
                    <Field id="email" label="Email" error=err field="email">
                        <input id="email" type="email" name="email" autocomplete="username" required/>
                    </Field>
                    <Field id="password" label="Password" error=err field="password">
                        <input id="password" type="password" name="password" autocomplete="current-password" required/>
                    </Field>
                    <button type="submit" class="button-primary" disabled=move || login.pending().get()>"Sign in"</button>
                </ActionForm>
            </section>
        </main>
    }
}
