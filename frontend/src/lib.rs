//! WASM entry: sets up the islands runtime. Each `#[island]` of `app` exports its own hydration function, which
//! the page's loader calls for every island it finds.

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

// Links `app`, so its islands' exported functions are part of this module.
#[cfg(feature = "hydrate")]
pub use app::cases::preview::PhotoPreview;
#[cfg(feature = "hydrate")]
pub use app::credit::search::{NearMe, TypeAhead};
#[cfg(feature = "hydrate")]
pub use app::picks::picker::BallotPicker;
