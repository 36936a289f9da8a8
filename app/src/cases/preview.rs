//! The photo preview: the third island, on `/report` only. Server-rendered it is an empty list; the file input
//! works without JavaScript (the server checks every photo and names the field). Hydrated, it shows a thumbnail
//! of each chosen photo with its size, and warns before submitting when there are more than five or one is over
//! 8 MB, so a reporter on a weak network does not upload 40 MB to be refused. Thumbnails are `blob:` URLs of the
//! local files (nothing is sent), released when the choice changes. No props (see the ballot picker): the
//! limits are read from the input's `data-max-files` and `data-max-bytes`, the texts (in the page's language,
//! from `domain::i18n`) from its `data-chosen`, `data-too-many` and `data-too-big`.

use leptos::prelude::*;

#[island]
pub fn PhotoPreview() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| hydrated::attach());
}

#[cfg(feature = "hydrate")]
mod hydrated {
    use domain::i18n::fill;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::{closure::Closure, JsCast};

    pub fn attach() {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let (Some(input), Some(list), Some(status)) = (
            doc.get_element_by_id("report-photos").and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok()),
            doc.get_element_by_id("photo-previews"),
            doc.get_element_by_id("photo-status"),
        ) else {
            return;
        };
        // Integers only: float parsing and formatting would add tens of KB to the one WASM all islands share.
        let attr = |name: &str, default: u32| input.get_attribute(name).and_then(|v| v.parse().ok()).unwrap_or(default);
        let (max_files, max_bytes) = (attr("data-max-files", 5), f64::from(attr("data-max-bytes", 8_388_608)));
        let text_of = |name: &str| input.get_attribute(name).unwrap_or_default();
        let (chosen, too_many, too_big_text) =
            (text_of("data-chosen"), text_of("data-too-many"), text_of("data-too-big"));
        let urls: Rc<RefCell<Vec<String>>> = Rc::default();
        let update = {
            let (input, doc) = (input.clone(), doc.clone());
            move || {
                for u in urls.borrow_mut().drain(..) {
                    let _ = web_sys::Url::revoke_object_url(&u);
                }
                list.set_inner_html("");
                let Some(files) = input.files() else { return };
                let mut too_big = 0;
                for i in 0..files.length() {
                    let Some(file) = files.get(i) else { continue };
                    let big = file.size() > max_bytes;
                    too_big += u32::from(big);
                    let (Ok(li), Ok(img), Ok(caption)) =
                        (doc.create_element("li"), doc.create_element("img"), doc.create_element("span"))
                    else {
                        continue;
                    };
                    if let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) {
                        let _ = img.set_attribute("src", &url);
                        urls.borrow_mut().push(url);
                    }
                    let _ = img.set_attribute("alt", &file.name());
                    let _ = img.set_attribute("width", "96");
                    let _ = img.set_attribute("height", "96");
                    // Text nodes only: a file name is never parsed as HTML.
                    let tenths = (file.size() / 104_857.6) as u64;
                    caption.set_text_content(Some(&format!("{}.{} MB", tenths / 10, tenths % 10)));
                    if big {
                        let _ = li.set_attribute("class", "too-big");
                    }
                    let _ = li.append_child(&img);
                    let _ = li.append_child(&caption);
                    let _ = list.append_child(&li);
                }
                let n = files.length();
                let (n_text, max_text, big_text) = (n.to_string(), max_files.to_string(), too_big.to_string());
                let text = match (n > max_files, too_big > 0) {
                    (true, _) => fill(&too_many, &[("n", &n_text), ("max", &max_text)]),
                    (false, true) => fill(&too_big_text, &[("n", &big_text)]),
                    (false, false) => fill(&chosen, &[("n", &n_text)]),
                };
                status.set_text_content(Some(if n == 0 { "" } else { &text }));
                let bad = n > max_files || too_big > 0;
                let _ = status.set_attribute("class", if bad { "field-error" } else { "hint" });
                input.set_custom_validity(if !bad { "" } else { &text });
            }
        };
        let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| update());
        let _ = input.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget();
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    }
}
