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
                // Already signed in: go straight to the app.
                matches!(auth.session.await, Ok(Some(_))).then(|| view! { <Redirect path="/"/> })
            })}
        </Transition>
        <main class="standalone login">
            <h1>"Sign in to Clientele"</h1>
            <ActionForm action=auth.login attr:class="form" attr:aria-label="Sign in">
                <div class="field">
                    <label for="login-email">"Email"</label>
                    <input id="login-email" name="email" type="email" autocomplete="username" required autofocus/>
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                {move || error().map(|e| view! { <div class="notice notice-error" role="alert">{e.to_string()}</div> })}
                <button type="submit" class="button button-primary" disabled=pending>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p><a href="/forgot-password">"Forgot password?"</a></p>
        </main>
    }
}
