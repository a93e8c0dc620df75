"""Register and log in.

Two limits guard these endpoints: every request counts against the caller's IP
(ClientIpLimitedRoute), and failed logins count against the normalised email. A login *reserves*
its attempt before the slow password check, so parallel guesses cannot overtake the limit.
The handlers are async so that requests queueing for a hashing slot hold no worker thread;
their database calls run on the thread pool.
"""

from fastapi import APIRouter, HTTPException, Response
from starlette.concurrency import run_in_threadpool

from .. import repository
from ..models import User
from ..passwords import HashingBusyError
from ..ratelimit import RateLimitedError
from ..routing import ClientIpLimitedRoute
from ..schemas import LoginRequest, RegisterRequest, TokenOut, UserOut, could_be_registered
from ..security import create_access_token
from .deps import DbSession, LoginLimiterDep, PasswordsDep, SettingsDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], route_class=ClientIpLimitedRoute)


@router.post("/register", status_code=201, response_model=UserOut)
async def register(body: RegisterRequest, session: DbSession, passwords: PasswordsDep) -> User:
    password_hash = await passwords.hash(body.password)
    try:
        return await run_in_threadpool(repository.create_user, session, body.email, password_hash)
    except repository.EmailTakenError:
        raise HTTPException(409, "An account with this email already exists.") from None


@router.post("/login", response_model=TokenOut)
async def login(
    body: LoginRequest,
    response: Response,
    session: DbSession,
    settings: SettingsDep,
    passwords: PasswordsDep,
    limiter: LoginLimiterDep,
) -> TokenOut:
    email = body.email  # normalised by LoginRequest
    try:
        # Checked and counted at once: blocked logins check no password.
        await run_in_threadpool(limiter.reserve, email)
    except RateLimitedError as exc:
        raise HTTPException(
            429,
            "Too many failed logins for this email; try again later.",
            headers={"Retry-After": str(exc.retry_after)},
        ) from None

    user = None
    if could_be_registered(email):  # else no account can have it: no query, same hashing work
        user = await run_in_threadpool(repository.get_user_by_email, session, email)
        # Give the connection back to the pool before the hash, which may queue for a slot.
        await run_in_threadpool(session.close)
    try:
        # The same answer, after the same hashing work, for an unknown email and a wrong password.
        valid = await passwords.verify(user.password_hash if user else None, body.password)
    except HashingBusyError:
        await run_in_threadpool(limiter.release, email)  # not judged: not a failure
        raise
    if not valid or user is None:
        raise HTTPException(
            401, "The email or password is incorrect.", headers={"WWW-Authenticate": "Bearer"}
        )
    await run_in_threadpool(limiter.reset, email)
    token = create_access_token(user.id, settings.effective_jwt_secret, settings.jwt_ttl_seconds)
    response.headers["Cache-Control"] = "no-store"  # a credential (RFC 6749 section 5.1)
    return TokenOut(access_token=token, expires_in=settings.jwt_ttl_seconds)
