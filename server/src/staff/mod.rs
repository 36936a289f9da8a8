//! Staff: sign-in and sign-out. (The console's pages are declared in `app::staff`.)

/// Sign-in and sign-out form posts.
pub mod forms;

use crate::http::routes::Routes;
use domain::route::{Facts, Limit};
use domain::staff::Role;

pub fn routes() -> Routes {
    Routes::new().form(app::staff::SIGN_IN, Facts::WRITE.limit(Limit::Login), app::staff::SIGN_IN, forms::login).post(
        "/staff/logout",
        Facts::staff_write(Role::Viewer),
        forms::logout,
    )
}
