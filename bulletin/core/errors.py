"""Errors whose message is meant for the office (Chinese, names the file and the reason)."""


class BulletinError(Exception):
    """A problem the user can fix; str(error) is a complete Chinese sentence."""


class ConfigError(BulletinError):
    pass


class TemplateProblem(BulletinError):
    pass


class NothingToCompile(BulletinError):
    pass


class NotApproved(BulletinError):
    pass
