#![allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
//! The HTTP tests of `server`, one binary with a module per capability: the real app on port 0 over a fresh
//! real database, each case on SQLite and on PostgreSQL (`on_both!`).

#[macro_use]
extern crate backend;

mod common;

mod abuse;
mod alerts;
mod cases;
mod credit;
mod disposal;
mod durability;
mod feeds;
mod hardening;
mod kitchens;
mod markets;
mod near;
mod news;
mod objections;
mod open311;
mod outbox;
mod picks;
mod satisfaction;
mod site;
mod staff;
mod volunteers;
