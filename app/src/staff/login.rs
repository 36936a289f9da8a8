use crate::ui::{form_error, FieldError};
use crate::lang::tr;
use domain::T;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let (code, field) = form_error();
    let lang = crate::lang::use_lang();
    let invalid = move |name: &'static str| (field.get().as_deref() == Some(name)).then_some("true");
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
                <label for="username">{tr(T::StaffUsername)}</label>
                <input
                    id="username"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="none"
                    maxlength="64"
                    required
                    aria-invalid=move || invalid("username")
                />
                <FieldError name="username" code field/>
                <label for="password">{tr(T::StaffPassword)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    maxlength="1024"
                    required
                    aria-invalid=move || invalid("password")
                />
                <FieldError name="password" code field/>
                <button type="submit" class="button primary">{tr(T::StaffLoginButton)}</button>
            </form>
        </section>
    }
}
