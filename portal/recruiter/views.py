from flask import render_template
from flask_login import current_user

from portal.recruiter import bp


@bp.route("/")
def dashboard():
    return render_template("recruiter/dashboard.html", user=current_user)
