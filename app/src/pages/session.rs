use crate::components::field::{described_by, Field};
use crate::context::Auth;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let error = move || auth.login.value().get().and_then(|r| r.err());
    let pending = auth.login.pending();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                matches!(auth.session.await, Ok(Some(_)))
                    .then(|| {
                        // Already signed in: go straight to the app.
                        view! { <Redirect path="/" /> }
                    })
            })}
        </Transition>
        <main class="standalone login">
            <h1>"Sign in to Clientele"</h1>
            <ActionForm action=auth.login attr:class="form" attr:aria-label="Sign in">
                <Field id="login-email" label="Email">
                    <input
                        id="login-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        required
                        autofocus
                        aria-describedby=described_by("login-email", false)
                    />
                </Field>
                <Field id="login-password" label="Password">
                    <input
                        id="login-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        aria-describedby=described_by("login-password", false)
                    />
                </Field>
                {move || {
                    error()
                        .map(|e| {
                            view! {
                                <div class="notice notice-error" role="alert">
                                    {e.to_string()}
                                </div>
                            }
                        })
                }}
                <button type="submit" class="button button-primary" disabled=pending>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p>
                <a href="/forgot-password">"Forgot password?"</a>
            </p>
        </main>
    }
}
