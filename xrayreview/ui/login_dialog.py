"""Sign-in: on a station without accounts, whoever sets it up creates the admin; afterwards,
user name and password (lockout and its message come from the core). Never blocks a test:
open it with show()/open(), not exec()."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ..decisions import Account, Accounts, DecisionLogError


class LoginDialog(QDialog):
    signed_in = Signal(object)  # the Account

    def __init__(self, accounts: Accounts, parent: QWidget | None = None,
                 locked_user: str | None = None) -> None:
        super().__init__(parent)
        self.accounts = accounts
        self.account: Account | None = None
        try:
            self.first_run = accounts.needs_first_admin()
            unreadable = None
        except DecisionLogError as exc:
            # A log damaged since the station opened it made this raise out of sign-in (the menu,
            # or the idle lock, which had already hidden the scan): no dialog, no word. Said here
            # instead, and never taken for an empty table (that would offer to create an admin).
            self.first_run, unreadable = False, str(exc)
        self.setWindowTitle("Create the station's admin" if self.first_run else "Sign in")
        layout = QVBoxLayout(self)
        if self.first_run:
            intro = ("No accounts exist yet. The account created now is the station's admin; "
                     "the admin then adds officers and supervisors.")
        elif locked_user:
            intro = f"The station locked after a pause. Sign in again ({locked_user}) or as someone else."
        else:
            intro = "Sign in to the X-ray review station."
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.username = QLineEdit(locked_user or "")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        if self.first_run:
            form.addRow("Repeat password", self.repeat)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d32f2f;")
        layout.addWidget(self.error)
        if unreadable is not None:
            self.error.setText(unreadable)
        choice = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(choice.Ok | choice.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if locked_user else self.username).setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        name, password = self.username.text().strip(), self.password.text()
        try:
            if self.first_run:
                if password != self.repeat.text():
                    raise DecisionLogError("The two passwords differ.")
                account = self.accounts.create_first_admin(name, password)
            else:
                account = self.accounts.authenticate(name, password)
        except DecisionLogError as exc:
            self.error.setText(str(exc))
            self.password.clear()
            self.repeat.clear()
            self.password.setFocus()
            return
        self.account = account
        self.signed_in.emit(account)
        self.accept()
