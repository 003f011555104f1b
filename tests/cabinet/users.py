"""Cabinet test people: one factory per role and `World`, two dealers' worth of users and objects.

    from cabinet.users import make_user, World, PASSWORD
    world = World.build()            # two dealers "A" and "B", every role in each
    world.a.manager                  # a manager of dealer A with one client of their own
    world.a.other_manager_client     # a client of dealer A managed by somebody else
    world.user("a", "technician")    # the registry: look a person up by dealer key and role

Every user's password is PASSWORD (argon2-hashed once per process, so building a world stays fast).
"""
from dataclasses import dataclass, field
from functools import lru_cache

from smart.registry.models import Branch, Client, Dealer, Installation, OnlineAccess, Role, User

PASSWORD = "correct-horse-battery-7"
ROLES = [Role.OPERATOR, Role.DEALER_ADMIN, Role.HEAD, Role.MANAGER, Role.TECHNICIAN]


@lru_cache(maxsize=1)
def _password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_dealer(code: str = "0042", name: str = "kodeks", display_name: str = "") -> Dealer:
    return Dealer.objects.create(code=code, name=name, display_name=display_name or f"Dealer {name}")


def make_user(role: str, dealer: Dealer | None = None, *, username: str = "", branch: Branch | None = None,
              full_name: str = "", email: str = "") -> User:
    """A user of `role` (operators have no dealer) whose password is PASSWORD."""
    if role != Role.OPERATOR and dealer is None:
        raise ValueError("every role except the operator belongs to a dealer")
    username = username or f"{role}-{dealer.code if dealer else 'ops'}-{User.objects.count() + 1}"
    user = User(username=username, role=role, dealer=None if role == Role.OPERATOR else dealer, branch=branch,
                full_name=full_name or username, email=email or f"{username}@example.test",
                password=_password_hash())
    user.save()
    return user


def make_client(dealer: Dealer, slug: str, display_name: str = "", *, branch=None, managers=()) -> Client:
    client = Client.objects.create(dealer=dealer, slug=slug, display_name=display_name or slug, branch=branch,
                                   legal_name=f"ООО «{display_name or slug}»")
    if managers:
        client.managers.set(managers)
    return client


def make_installation(client: Client, name: str, *, manager=None, kind=Installation.Kind.PULLED) -> Installation:
    return Installation.objects.create(dealer=client.dealer, client=client, kind=kind, name=name, manager=manager,
                                       address=name.split(":")[0] if kind == Installation.Kind.PULLED else "",
                                       port=443 if kind == Installation.Kind.PULLED else None)


def make_online_access(client: Client, login: str, *, manager=None) -> OnlineAccess:
    return OnlineAccess.objects.create(dealer=client.dealer, client=client, firm=client.display_name, login=login,
                                       password="secret-pass", host="online.kodeks.ru", folder="docs1",
                                       manager=manager)


@dataclass
class DealerSet:
    """One dealer with a branch, every dealer-bound role and three clients:
    `branch_client` (in the branch, managed by `manager`), `other_manager_client` (managed by `other_manager`,
    outside the branch) and `unmanaged_client`. Each client has one installation and one online access."""

    key: str
    dealer: Dealer
    branch: Branch
    dealer_admin: User
    head: User
    manager: User
    other_manager: User
    technician: User
    branch_client: Client
    other_manager_client: Client
    unmanaged_client: Client
    installations: dict = field(default_factory=dict)  # client slug -> Installation
    accesses: dict = field(default_factory=dict)  # client slug -> OnlineAccess

    @property
    def clients(self) -> list[Client]:
        return [self.branch_client, self.other_manager_client, self.unmanaged_client]

    @property
    def names(self) -> list[str]:
        """Texts that identify this dealer's objects: none may appear on another dealer's pages."""
        out = [self.dealer.display_name, self.branch.name]
        for c in self.clients:
            out += [c.display_name, c.legal_name]
        out += [i.name for i in self.installations.values()] + [a.login for a in self.accesses.values()]
        out += [self.manager.full_name, self.other_manager.full_name, self.head.full_name]
        return out


def make_dealer_set(key: str, code: str) -> DealerSet:
    k = key.upper()
    dealer = make_dealer(code, f"dlr{key}", f"Дилер-{k}-Юг")
    branch = Branch.objects.create(dealer=dealer, name=f"Филиал-{k}-Север")
    admin = make_user(Role.DEALER_ADMIN, dealer, username=f"admin-{key}", full_name=f"Админ {k}")
    head = make_user(Role.HEAD, dealer, username=f"head-{key}", branch=branch, full_name=f"Руководитель {k}")
    manager = make_user(Role.MANAGER, dealer, username=f"manager-{key}", full_name=f"Менеджерова {k}")
    other = make_user(Role.MANAGER, dealer, username=f"manager2-{key}", full_name=f"Другой-Менеджер {k}")
    tech = make_user(Role.TECHNICIAN, dealer, username=f"tech-{key}", full_name=f"Техник {k}")
    c1 = make_client(dealer, f"zavod-{key}", f"Завод-{k}-Звезда", branch=branch, managers=[manager])
    c2 = make_client(dealer, f"bank-{key}", f"Банк-{k}-Рассвет", managers=[other])
    c3 = make_client(dealer, f"shkola-{key}", f"Школа-{k}-Ничья")
    ds = DealerSet(key, dealer, branch, admin, head, manager, other, tech, c1, c2, c3)
    for c, m in ((c1, manager), (c2, other), (c3, None)):
        ds.installations[c.slug] = make_installation(c, f"{c.slug}.host-{key}.ru:443", manager=m)
        ds.accesses[c.slug] = make_online_access(c, f"login-{c.slug}", manager=m)
    return ds


@dataclass
class World:
    """Two dealers (`a`, `b`) and an operator: the fixture the tenancy and role tests start from."""

    a: DealerSet
    b: DealerSet
    operator: User

    @classmethod
    def build(cls) -> "World":
        return cls(make_dealer_set("a", "0101"), make_dealer_set("b", "0202"),
                   make_user(Role.OPERATOR, username="operator", full_name="Оператор SMART"))

    def user(self, dealer_key: str, role: str) -> User:
        if role == Role.OPERATOR:
            return self.operator
        return getattr(getattr(self, dealer_key), {"dealer_admin": "dealer_admin"}.get(role, role))
