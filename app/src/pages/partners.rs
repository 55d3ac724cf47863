//! `/settings`: the platform operator's area. Lists every partner; "Work in" switches the
//! session to that partner's space.

use crate::api::partners::list_partners;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::Auth;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn PartnersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let partners = Resource::new(|| (), |_| list_partners());
    view! {
        <div class="page-head"><h1>"Settings"</h1></div>
        <h2>"Partners"</h2>
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match partners.await {
                    Ok(partners) => Either::Left(view! {
                        <table class="data-table">
                            <thead>
                                <tr>
                                    <th scope="col">"Partner"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Support level"</th>
                                    <th scope="col">"Partner users"</th>
                                    <th scope="col">"Customers"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {partners.into_iter().map(|p| view! {
                                    <tr>
                                        <td>{p.name.clone()}</td>
                                        <td>{if p.active { "Active" } else { "Disabled" }}</td>
                                        <td>{if p.support_level_confirmed { "Confirmed" } else { "Not confirmed" }}</td>
                                        <td>{p.partner_users}</td>
                                        <td>{p.customers.number()}</td>
                                        <td>
                                            <ActionForm action=auth.switch_tenant>
                                                <input type="hidden" name="tenant_id" value=p.id.to_string()/>
                                                <button type="submit" class="button button-small"
                                                    aria-label=format!("Manage customers of {}", p.name)>
                                                    "Manage customers"
                                                </button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Transition>
    }
}
