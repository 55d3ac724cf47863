use crate::context::Auth;
use crate::frame::sidebar::SidebarMenu;
use crate::types::session::SessionInfo;
use leptos::prelude::*;

#[component]
pub fn AppHeader(info: SessionInfo) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let menu = expect_context::<SidebarMenu>();
    let tenant_name = info.tenant.as_ref().map(|t| t.name.clone());
    let current_tenant = info.tenant.as_ref().map(|t| t.id);
    let can_switch = info.tenants.len() > 1;
    let role = info.role_name.clone().unwrap_or_default();
    view! {
        <header class="app-header">
            // On narrow screens the sidebar hides behind this button (the stylesheet shows it there).
            <button
                type="button"
                id="menu-button"
                class="button button-quiet menu-button"
                aria-controls="sidebar"
                aria-expanded=move || menu.open.get().to_string()
                on:click=move |_| menu.open.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            <a class="brand" href="/">
                "Clientele"
            </a>
            <div class="tenant">
                {if can_switch {
                    let options = info.tenants.clone();
                    leptos::either::Either::Left(
                        view! {
                            <ActionForm action=auth.switch_tenant attr:class="tenant-switch">
                                <label for="tenant-select">"Partner"</label>
                                <select id="tenant-select" name="tenant_id">
                                    {options
                                        .into_iter()
                                        .map(|t| {
                                            let selected = Some(t.id) == current_tenant;
                                            view! {
                                                <option value=t.id.to_string() selected=selected>
                                                    {t.name}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                                <button type="submit" class="button button-small">
                                    "Switch"
                                </button>
                            </ActionForm>
                        },
                    )
                } else {
                    leptos::either::Either::Right(
                        view! {
                            <span class="tenant-name" data-testid="tenant-name">
                                {tenant_name.unwrap_or_default()}
                            </span>
                        },
                    )
                }}
            </div>
            <div class="who">
                <span class="person" data-testid="person-name">
                    {info.person_name.clone()}
                </span>
                <span class="role">{role}</span>
                <a class="button button-quiet" href="/account">
                    "My account"
                </a>
                <ActionForm action=auth.logout>
                    <button type="submit" class="button button-quiet">
                        "Sign out"
                    </button>
                </ActionForm>
            </div>
        </header>
    }
}
