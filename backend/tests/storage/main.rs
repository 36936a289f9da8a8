#![allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
//! The storage and service tests of `backend`, one binary with a module per capability: every case runs
//! against a fresh SQLite file and a fresh PostgreSQL database (`on_both!`).

#[macro_use]
extern crate backend;

mod common;
mod fixtures;

mod abuse;
mod alerts;
mod cases;
mod credit;
mod disposal;
mod feeds;
mod kitchens;
mod markets;
mod near;
mod news;
mod objections;
mod open311;
mod picks;
mod satisfaction;
mod search;
mod site;
mod staff;
mod store;
mod volunteers;
