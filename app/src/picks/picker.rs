//! The ballot picker: the second island of the site, on a voting round's page only. Server-rendered it is
//! nothing: the ballot is a plain form of checkboxes that works without JavaScript (the server refuses too many
//! picks, naming the field). Hydrated, it attaches to that form, shows "2 / 3 picked" as boxes are ticked and
//! disables the remaining boxes once the limit is reached, so a voter cannot submit a ballot that would be
//! refused. It has no props (island props are deserialised with serde_json, which would more than double the
//! WASM): it reads the limit from the form's `data-max` and its text from `data-picked`.

use leptos::prelude::*;

#[island]
pub fn BallotPicker() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| hydrated::attach());
}

#[cfg(feature = "hydrate")]
mod hydrated {
    use wasm_bindgen::{closure::Closure, JsCast};

    pub fn attach() {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let (Some(form), Some(status)) = (doc.get_element_by_id("ballot-form"), doc.get_element_by_id("pick-count"))
        else {
            return;
        };
        let Some(max) = form.get_attribute("data-max").and_then(|m| m.parse::<i64>().ok()) else { return };
        // The text comes from the server in the page's language (`domain::i18n`), holes `{n}` and `{max}`.
        let picked_text = form.get_attribute("data-picked").unwrap_or_default();
        let update = {
            let form = form.clone();
            move || {
                let boxes = form.get_elements_by_tag_name("input");
                let inputs: Vec<web_sys::HtmlInputElement> = (0..boxes.length())
                    .filter_map(|i| boxes.item(i)?.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .filter(|b| b.type_() == "checkbox")
                    .collect();
                let picked = inputs.iter().filter(|b| b.checked()).count() as i64;
                for b in &inputs {
                    b.set_disabled(!b.checked() && picked >= max);
                }
                let text = domain::i18n::fill(&picked_text, &[("n", &picked.to_string()), ("max", &max.to_string())]);
                status.set_text_content(Some(&text));
            }
        };
        update();
        let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| update());
        let _ = form.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget();
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    }
}
