"""Security review of accounts: names that look alike, roles taken from the table, what sign-in
reveals and writes, the hash cost, and verify catching an accounts table edited outside the station.

Hashes here use a low scrypt cost (AccountPolicy.scrypt_n) so the file stays fast; the
station's default cost is the policy's default.
"""

import hashlib
import sqlite3
import unicodedata

import pytest

from xrayreview.decisions import (
    Account,
    AccountLocked,
    AccountPolicy,
    Accounts,
    AuthenticationFailed,
    Decision,
    DecisionLog,
    InvalidRecord,
    PermissionDenied,
    ScanInfo,
    hash_password,
    now_utc,
    record_decision,
    verify,
)

CHEAP = AccountPolicy(max_failures=3, scrypt_n=2**10)


@pytest.fixture
def station(tmp_path):
    with DecisionLog(tmp_path / "log.sqlite", station_id="lane-1") as log:
        accounts = Accounts(log, CHEAP)
        admin = accounts.create_first_admin("root", "admin-pass")
        yield log, accounts, admin


def _legacy_account(log, name, role, password):
    """An account row as a log made before name folding could hold it (inserted as the old code did)."""
    conn = sqlite3.connect(log.path, isolation_level=None)
    conn.execute("INSERT INTO accounts(username, role, password, created_at) VALUES (?, ?, ?, ?)",
                 (name, role, hash_password(password, n=2**10), now_utc()))
    conn.close()


def _decision(**kwargs):
    return Decision(ScanInfo(["/inbox/bag.png"], "a" * 64, 10, 10), "clear", now_utc(), **kwargs)


# --- names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("first, second", [
    ("Ольга", "ольга"),  # case outside ASCII: SQLite's NOCASE does not fold it
    ("José", unicodedata.normalize("NFD", "José")),  # the same letters, composed or not
    ("olga", "ｏｌｇａ"),  # full-width forms
    ("olga", "\u043elga"),  # a Cyrillic 'о' in a Latin name
    ("BOB", "\u0412\u041e\u0412"),  # all-Cyrillic capitals that read as BOB
])
def test_names_that_read_the_same_are_one_account(station, first, second):
    _, accounts, admin = station
    accounts.create(admin, first, "officer", "officer-pass")
    with pytest.raises(InvalidRecord, match="exists already"):
        accounts.create(admin, second, "supervisor", "supervisor-pass")


def test_distinct_names_in_other_alphabets_are_still_accepted(station):
    _, accounts, admin = station
    for name in ("Oleg", "Олег", "Ира", "山田たろう"):
        accounts.create(admin, name, "officer", "officer-pass")
    assert accounts.authenticate("Олег", "officer-pass").username == "Олег"


def test_a_name_typed_decomposed_finds_the_account(station):
    _, accounts, admin = station
    accounts.create(admin, "José", "officer", "officer-pass")
    typed = unicodedata.normalize("NFD", "José")
    assert accounts.authenticate(typed, "officer-pass").username == "José"


def test_a_name_an_older_version_stored_decomposed_can_still_sign_in(station):
    log, accounts, _ = station
    stored = unicodedata.normalize("NFD", "Zoë")
    _legacy_account(log, stored, "officer", "officer-pass")
    assert accounts.authenticate(stored, "officer-pass").username == stored


def test_an_officer_cannot_set_the_password_of_a_name_differing_only_in_case(station):
    log, accounts, admin = station
    accounts.create(admin, "Ольга", "supervisor", "supervisor-pass")
    _legacy_account(log, "ольга", "officer", "officer-pass")
    officer = accounts.authenticate("ольга", "officer-pass")
    with pytest.raises(PermissionDenied):
        accounts.set_password(officer, "Ольга", "taken-over!")
    assert accounts.authenticate("Ольга", "supervisor-pass").role == "supervisor"


def test_an_officer_cannot_correct_a_decision_of_a_name_differing_only_in_case(station):
    log, accounts, admin = station
    accounts.create(admin, "Ольга", "officer", "officer-pass")
    _legacy_account(log, "ольга", "officer", "other-pass")
    first = record_decision(log, accounts.authenticate("Ольга", "officer-pass"), _decision())
    with pytest.raises(PermissionDenied):
        record_decision(log, accounts.authenticate("ольга", "other-pass"), _decision(corrects=first.seq))


@pytest.mark.parametrize("typed", ["olga ", " olga", "OLGA "])
def test_a_change_to_a_padded_name_changes_that_account(station, typed):
    log, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")
    accounts.set_role(admin, typed, "supervisor")
    assert accounts.authenticate("olga", "officer-pass").role == "supervisor"
    accounts.set_password(admin, typed, "new-officer-pass")
    assert accounts.authenticate("olga", "new-officer-pass")
    accounts.disable(admin, typed)
    with pytest.raises(AccountLocked, match="disabled"):
        accounts.authenticate("olga", "new-officer-pass")
    changes = [r.content for r in log.records("account") if r.content["by"] == "root"]
    assert {c["username"] for c in changes} == {"olga"}  # the record names the account itself
    assert verify(log.path).ok


# --- roles come from the table, not from the caller's object -------------------------------

def test_a_forged_or_stale_admin_cannot_manage_accounts(station):
    _, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")
    for forged in (Account("olga", "admin"), Account("ghost", "admin")):
        with pytest.raises(PermissionDenied):
            accounts.create(forged, "eve", "admin", "eve-password")
        with pytest.raises(PermissionDenied):
            accounts.set_role(forged, "olga", "supervisor")
        with pytest.raises(PermissionDenied):
            accounts.list(forged)
    second = accounts.create(admin, "ada", "admin", "second-admin")
    accounts.set_role(admin, "ada", "officer")  # demoted while still signed in
    with pytest.raises(PermissionDenied):
        accounts.set_role(second, "olga", "supervisor")
    third = accounts.create(admin, "ann", "admin", "third-admin")
    accounts.disable(admin, "ann")
    with pytest.raises(PermissionDenied):
        accounts.unlock(third, "olga")
    assert accounts.authenticate("olga", "officer-pass").role == "officer"


def test_a_disabled_account_cannot_change_its_own_password(station):
    _, accounts, admin = station
    olga = accounts.create(admin, "olga", "officer", "officer-pass")
    accounts.disable(admin, "olga")
    with pytest.raises(PermissionDenied):
        accounts.set_password(olga, "olga", "new-officer-pass")


# --- what sign-in says and writes ------------------------------------------------------------

def test_a_wrong_password_and_an_unknown_name_read_the_same(station):
    _, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")
    with pytest.raises(AuthenticationFailed) as wrong:
        accounts.authenticate("olga", "guess-one")
    with pytest.raises(AuthenticationFailed) as unknown:
        accounts.authenticate("nobody", "guess-one")
    assert str(wrong.value) == str(unknown.value) and "3 failed" in str(wrong.value)
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate("olga", "guess-two")
    with pytest.raises(AccountLocked, match="olga is now locked"):  # the officer must learn this
        accounts.authenticate("olga", "guess-three")


def test_what_is_typed_as_an_unknown_name_is_not_written_into_the_log(station):
    log, accounts, _ = station
    typed = "my-secret-password-typed-in-the-wrong-field"
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(typed, "x")
    bodies = [body for (body,) in log.execute_read("SELECT body FROM records")]
    assert not any(typed in body for body in bodies)
    failed = [r.content for r in log.records("account") if r.content["event"] == "sign_in_failed"]
    assert failed and failed[-1]["username"] is None and failed[-1]["detail"] == "unknown user name"


def test_a_password_equal_to_the_user_name_is_refused(station):
    _, accounts, admin = station
    with pytest.raises(InvalidRecord, match="user name"):
        accounts.create(admin, "inspector7", "officer", "Inspector7")
    accounts.create(admin, "gregorovich", "officer", "officer-pass")
    with pytest.raises(InvalidRecord, match="user name"):
        accounts.set_password(admin, "gregorovich", "GREGOROVICH")



@pytest.mark.parametrize("password, why", [
    ("Password1!", "first ones guessed"),
    ("P@ssw0rd2026", "first ones guessed"),
    ("customs2026", "first ones guessed"),
    ("!!Welcome!!", "first ones guessed"),
    ("12345678", "runs of keys"),
    ("qwertyuiop", "runs of keys"),
    ("87654321", "runs of keys"),
    ("aaaaaaaa", "different characters"),
    ("abababab", "different characters"),
    ("gregorovich2026", "user name with digits"),
    ("2026-Gregorovich!", "user name with digits"),
    ("12345678!", "runs of keys"),  # one character added used to get a run through
    ("Qwertyui1", "runs of keys"),
    ("asdfghjkl;", "runs of keys"),
    ("zxcvbnm123", "runs of keys"),
    ("1234567890ab", "runs of keys"),
    ("passwordpassword", "repeated"),
    ("adminadmin12", "repeated"),
    ("gr3g0r0vich2026", "user name with digits"),  # look-alike digits
    ("2026hcivorogerg", "user name with digits"),  # backwards
])
def test_passwords_guessed_first_are_refused_and_nothing_is_written(station, password, why):
    log, accounts, admin = station
    head = log.head()
    with pytest.raises(InvalidRecord, match=why):
        accounts.create(admin, "gregorovich", "officer", password)
    assert log.head() == head
    accounts.create(admin, "gregorovich", "officer", "officer-pass")
    with pytest.raises(InvalidRecord, match=why):
        accounts.set_password(admin, "gregorovich", password)


@pytest.mark.parametrize("password", [
    "correct horse battery staple", "officer-pass", "gregorovich-at-lane-4", "Zoll-Fahrrad-17",
    "passwortsalat", "1qaz!QAZ-but-longer",
])
def test_ordinary_passwords_and_passphrases_are_accepted(station, password):
    _, accounts, admin = station
    accounts.create(admin, "gregorovich", "officer", password)
    assert accounts.authenticate("gregorovich", password).username == "gregorovich"


# --- hash cost -------------------------------------------------------------------------------

def test_hashes_take_the_policy_cost_and_weaker_ones_are_redone_at_sign_in(station):
    log, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")

    def stored():
        return log.execute_read("SELECT password FROM accounts WHERE username = 'olga'").fetchone()[0]

    assert stored().startswith("scrypt$1024$8$1$")
    stronger = Accounts(log, AccountPolicy(scrypt_n=2**11))
    assert stronger.authenticate("olga", "officer-pass").username == "olga"
    assert stored().startswith("scrypt$2048$8$1$")
    assert [r.content["event"] for r in log.records("account")][-2:] == ["password_rehashed", "signed_in"]
    assert accounts.authenticate("olga", "officer-pass")  # a lower policy never weakens a hash
    assert stored().startswith("scrypt$2048$")
    assert log.verify().ok


def test_an_unknown_name_costs_the_same_hash_as_a_known_one(station, monkeypatch):
    _, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")
    costs = []
    real = hashlib.scrypt

    def counting(password, **kwargs):
        costs.append((kwargs["n"], kwargs["r"], kwargs["p"]))
        return real(password, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    for name in ("olga", "nobody"):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(name, "wrong-pass")
    assert costs == [(2**10, 8, 1), (2**10, 8, 1)]


# --- verify compares the accounts table with the chain's account records -----------------------

def _edit(log, sql, *params):
    conn = sqlite3.connect(log.path, isolation_level=None)
    conn.execute(sql, params)
    conn.close()


@pytest.mark.parametrize("sql, params, named", [
    ("UPDATE accounts SET role = 'supervisor' WHERE username = 'olga'", (), "olga"),
    ("UPDATE accounts SET active = 1 WHERE username = 'otto'", (), "otto"),
    ("DELETE FROM accounts WHERE username = 'olga'", (), "olga"),
    ("INSERT INTO accounts(username, role, password, created_at) VALUES ('eve', 'admin', 'x', 'now')", (),
     "eve"),
])
def test_verify_names_an_accounts_table_edited_outside_the_station(station, sql, params, named):
    log, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")
    accounts.create(admin, "OTTO", "officer", "officer-pass")
    accounts.set_role(admin, "otto", "supervisor")  # legitimate changes, in any spelling of the name
    accounts.disable(admin, "otto")
    assert verify(log.path).ok
    _edit(log, sql, *params)
    result = verify(log.path)
    assert not result.ok and result.first_break.kind == "accounts"
    assert named in result.first_break.message.lower() and "outside the station" in str(result)


# --- the station always keeps an active admin ------------------------------------------------

def _state(log):
    """The accounts table and the chain, to show a refused change wrote nothing."""
    return (log.execute_read("SELECT username, role, active FROM accounts ORDER BY username").fetchall(),
            log.head())


@pytest.mark.parametrize("role", ["officer", "supervisor", "trainer"])
def test_the_only_admin_cannot_demote_themselves(station, role):
    log, accounts, admin = station
    accounts.create(admin, "olga", "officer", "officer-pass")
    before = _state(log)
    with pytest.raises(InvalidRecord) as refused:
        accounts.set_role(admin, "root", role)
    assert str(refused.value) == "root is the station's only active admin; make another admin first."
    assert _state(log) == before and verify(log.path).ok
    accounts.create(admin, "ada", "officer", "ada-password")  # still an admin, still managing


def test_a_disabled_admin_is_no_second_admin(station):
    log, accounts, admin = station
    accounts.create(admin, "ada", "admin", "ada-password")
    accounts.disable(admin, "ada")
    before = _state(log)
    with pytest.raises(InvalidRecord, match="root is the station's only active admin"):
        accounts.set_role(admin, "root", "supervisor")
    assert _state(log) == before


def test_an_admin_may_step_down_while_another_active_admin_remains(station):
    log, accounts, admin = station
    ada = accounts.create(admin, "ada", "admin", "ada-password")
    accounts.set_role(admin, "root", "supervisor")
    # Now ada is the only one: her own demotion and every path around it is refused.
    before = _state(log)
    with pytest.raises(InvalidRecord, match="ada is the station's only active admin"):
        accounts.set_role(ada, "ada", "officer")
    with pytest.raises(PermissionDenied):  # the demoted root's old session cannot take ada out
        accounts.disable(admin, "ada")
    with pytest.raises(PermissionDenied):
        accounts.set_role(admin, "ada", "officer")
    assert _state(log) == before and verify(log.path).ok


def test_an_admin_may_demote_or_disable_another_admin(station):
    _, accounts, admin = station
    accounts.create(admin, "ada", "admin", "ada-password")
    accounts.create(admin, "bea", "admin", "bea-password")
    accounts.set_role(admin, "ada", "officer")
    accounts.disable(admin, "bea")
    assert [(a.username, a.role, a.active) for a in accounts.list(admin)] == [
        ("ada", "officer", True), ("bea", "admin", False), ("root", "admin", True)]


def test_the_accounts_command_refuses_to_demote_the_only_admin(tmp_path, monkeypatch, capsys):
    import io  # noqa: PLC0415

    from xrayreview.cli import main  # noqa: PLC0415

    db = tmp_path / "log.sqlite"
    with DecisionLog(db) as log:
        Accounts(log).create_first_admin("root", "admin-pass")
    monkeypatch.setattr("sys.stdin", io.StringIO("admin-pass\n"))
    assert main(["accounts", "role", "root", "officer", "--db", str(db), "--admin", "root"]) == 2
    assert "root is the station's only active admin; make another admin first." in capsys.readouterr().err
    with DecisionLog(db) as log:
        assert log.execute_read("SELECT role FROM accounts").fetchall() == [("admin",)]
