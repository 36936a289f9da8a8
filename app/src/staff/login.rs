use crate::lang::tr;
use crate::ui::{form_error, FieldError};
use domain::T;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let (code, field) = form_error();
    let lang = crate::lang::use_lang();
    let invalid = move |name: &'static str| (field.get().as_deref() == Some(name)).then_some("true");
    let input = move |name: &'static str, label: T, kind: &'static str, autocomplete: &'static str, max: u32| {
        view! {
            <label for=name>{tr(label)}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                autocapitalize="none"
                maxlength=max
                required
                aria-invalid=move || invalid(name)
            />
            <FieldError name code field/>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffLoginTitle), tr(T::BrandName))/>
        <section class="page narrow">
            <h1>{tr(T::StaffLoginTitle)}</h1>
            {move || {
                code.get()
                    .filter(|_| field.get().is_none())
                    .map(|c| view! { <p class="error" role="alert">{c.text().get(lang)}</p> })
            }}
            <form method="post" action="/staff/login" class="form">
                {input("username", T::StaffUsername, "text", "username", 64)}
                {input("password", T::StaffPassword, "password", "current-password", 1024)}
                <button type="submit" class="button primary">{tr(T::StaffLoginButton)}</button>
            </form>
        </section>
    }
}
