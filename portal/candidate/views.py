from flask import render_template
from flask_login import current_user

from portal.candidate import bp


@bp.route("/")
def home():
    return render_template("candidate/home.html", user=current_user)
