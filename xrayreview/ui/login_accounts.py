"""The admin's account list: add accounts, change roles, unlock, disable, reset passwords.
Every change goes through the core, which checks the admin role and logs it in the chain."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..decisions import ROLES, Account, Accounts, DecisionLogError


class AccountsPanel(QWidget):
    def __init__(self, accounts: Accounts, admin: Account, parent: QWidget | None = None) -> None:
        accounts.list(admin)  # PermissionDenied for anyone but an admin, before any widget exists
        super().__init__(parent)
        self.accounts, self.admin = accounts, admin
        self.setWindowTitle("Accounts")
        layout = QVBoxLayout(self)
        self.list = QListWidget()
        layout.addWidget(self.list)
        form = QFormLayout()
        self.username = QLineEdit()
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("User name", self.username)
        form.addRow("Role", self.role)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        for text, slot in (("Add", self.add), ("Set role", self.set_role),
                           ("Set password", self.set_password), ("Unlock", self.unlock),
                           ("Disable", self.disable)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.list.currentTextChanged.connect(lambda text: self.username.setText(text.split("  ")[0]))
        self.refresh()

    def refresh(self) -> str | None:
        """Fill the list; returns (and shows) why it cannot be, e.g. this admin was demoted."""
        self.list.clear()
        try:
            found = self.accounts.list(self.admin)
        except DecisionLogError as exc:
            # The core re-reads the role for the list too: a demotion (by another admin, or this
            # one's own "Set role" just now) raised out of the click that had just succeeded.
            problem = f"The account list cannot be shown: {exc}"
            self._error(problem)
            return problem
        for account in found:
            self.list.addItem(f"{account.username}  ({account.role}{'' if account.active else ', disabled'})")
        return None

    def add(self) -> None:
        self._do(lambda: self.accounts.create(self.admin, self.username.text(), self.role.currentText(),
                                              self.password.text()), "added")

    def set_role(self) -> None:
        self._do(lambda: self.accounts.set_role(self.admin, self.username.text(), self.role.currentText()),
                 "role changed")

    def set_password(self) -> None:
        self._do(lambda: self.accounts.set_password(self.admin, self.username.text(), self.password.text()),
                 "password set")

    def unlock(self) -> None:
        self._do(lambda: self.accounts.unlock(self.admin, self.username.text()), "unlocked")

    def disable(self) -> None:
        self._do(lambda: self.accounts.disable(self.admin, self.username.text()), "disabled")

    def _do(self, change, done: str) -> None:  # noqa: ANN001
        try:
            change()
        except DecisionLogError as exc:
            self._error(str(exc))
            return
        finally:
            self.password.clear()  # never left on screen, whatever happened
        said = f"{self.username.text()}: {done}."
        problem = self.refresh()
        self.message.setStyleSheet("" if problem is None else "color: #d32f2f;")
        self.message.setText(said if problem is None else f"{said} {problem}")

    def _error(self, text: str) -> None:
        self.message.setStyleSheet("color: #d32f2f;")
        self.message.setText(text)
