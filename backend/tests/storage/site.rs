//! The brand site: the campaign figures and the demo data set.

use crate::common::TestDb;
use backend::seed;
use backend::site::figures;
use backend::staff::audit::Actor;
use backend::staff::auth;

on_both!(figures_and_demo_seed,);

async fn figures_and_demo_seed(db: &TestDb) {
    let s = &db.state;
    assert!(figures::get(db.store()).await.unwrap().is_none());
    let r1 = seed::demo_with(s, 200, seed::DEMO_PASSWORD).await.unwrap();
    assert_eq!(r1.accounts_created, 3);
    let f = figures::get(db.store()).await.unwrap().unwrap();
    assert_eq!(f.businesses, 43_993);
    assert_eq!(f.pass_rate_text(), "99.7%");
    // Staff change a figure; seeding again keeps the change and creates nothing.
    let changed = domain::figures::CampaignFigures { volunteers: 5_100, ..f.clone() };
    figures::update(db.store(), &Actor::cli(), &changed, None).await.unwrap();
    let r2 = seed::demo_with(s, 200, seed::DEMO_PASSWORD).await.unwrap();
    assert_eq!(r2.businesses_created, 0, "registry seeding is idempotent");
    assert_eq!(r2.accounts_created, 0);
    assert_eq!(figures::get(db.store()).await.unwrap().unwrap().volunteers, 5_100);
    // Invalid figures are refused whole.
    let bad = domain::figures::CampaignFigures { pass_rate_bp: 20_000, ..f };
    let e = figures::update(db.store(), &Actor::cli(), &bad, None).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("pass_rate"));
    assert_eq!(figures::get(db.store()).await.unwrap().unwrap().pass_rate_bp, 9_970);
    // The demo accounts can sign in.
    assert!(auth::login(s, "demo_admin", seed::DEMO_PASSWORD, None).await.is_ok());
}
