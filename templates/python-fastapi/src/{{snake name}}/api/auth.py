"""Register and log in. Failed logins are rate-limited per email."""

from fastapi import APIRouter, HTTPException, Request

from .. import repository
from ..models import User
from ..schemas import LoginRequest, RegisterRequest, TokenOut, UserOut
from ..security import create_access_token
from .deps import DbSession

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post("/register", status_code=201, response_model=UserOut)
def register(body: RegisterRequest, request: Request, session: DbSession) -> User:
    password_hash = request.app.state.passwords.hash(body.password)
    try:
        return repository.create_user(session, body.email, password_hash)
    except repository.EmailTakenError:
        raise HTTPException(409, "An account with this email already exists.") from None


@router.post("/login", response_model=TokenOut)
def login(body: LoginRequest, request: Request, session: DbSession) -> TokenOut:
    settings = request.app.state.settings
    limiter = request.app.state.login_limiter
    email = body.email.strip().lower()

    retry_after = limiter.retry_after(email)
    if retry_after is not None:  # blocked: the password is not even checked
        raise HTTPException(
            429,
            "Too many failed logins for this email; try again later.",
            headers={"Retry-After": str(retry_after)},
        )

    user = repository.get_user_by_email(session, email)
    # The same answer, after the same hashing work, for an unknown email and a wrong password.
    passwords = request.app.state.passwords
    if not passwords.verify(user.password_hash if user else None, body.password) or user is None:
        limiter.record_failure(email)
        raise HTTPException(
            401, "The email or password is incorrect.", headers={"WWW-Authenticate": "Bearer"}
        )
    limiter.reset(email)
    token = create_access_token(user.id, settings.effective_jwt_secret, settings.jwt_ttl_seconds)
    return TokenOut(access_token=token, expires_in=settings.jwt_ttl_seconds)
