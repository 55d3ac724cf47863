//! `/settings`: the platform operator's area. Lists every partner; "Manage customers" switches
//! the session to that partner's space; "Confirm support level" / "Withdraw" unlocks or locks
//! "Log in as" for the partner's staff.

use crate::api::partners::{list_partners, SetSupportLevel};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::pages::erasure::EraseAPerson;
use crate::Auth;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn PartnersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let support = ServerAction::<SetSupportLevel>::new();
    let partners = Resource::new(move || support.version().get(), |_| list_partners());
    view! {
        <div class="page-head"><h1>"Settings"</h1></div>
        <h2>"Partners"</h2>
        {move || support.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error/> })}
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
                                {partners.into_iter().map(|p| {
                                    let support_label = if p.support_level_confirmed {
                                        format!("Withdraw the support level of {}", p.name)
                                    } else {
                                        format!("Confirm support level of {}", p.name)
                                    };
                                    view! {
                                    <tr>
                                        <td>{p.name.clone()}</td>
                                        <td>{if p.active { "Active" } else { "Disabled" }}</td>
                                        <td>
                                            {if p.support_level_confirmed { "Confirmed" } else { "Not confirmed" }}
                                            <ActionForm action=support attr:class="cell-form">
                                                <input type="hidden" name="tenant_id" value=p.id.to_string()/>
                                                <input type="hidden" name="confirmed" value=(!p.support_level_confirmed).to_string()/>
                                                <button type="submit" class="button button-small"
                                                    aria-label=support_label>
                                                    {if p.support_level_confirmed { "Withdraw" } else { "Confirm support level" }}
                                                </button>
                                            </ActionForm>
                                        </td>
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
                                }}).collect_view()}
                            </tbody>
                        </table>
                    }),
                    Err(error) => Either::Right(view! { <ErrorNotice error/> }),
                }
            })}
        </Transition>
        <EraseAPerson/>
    }
}
